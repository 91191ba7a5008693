using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Application.Security;
using DeployMind.Domain;
using DeployMind.UnitTests.Jobs;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy;

/// <summary>`app exec -it` picks one container and never guesses between hosts; a preview's accessories are its own.</summary>
public sealed class AppLifecycleInteractiveTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly Dictionary<string, FakeDeployHost> _hosts = new(StringComparer.Ordinal)
    {
        ["web-1"] = new FakeDeployHost("web-1"),
        ["web-2"] = new FakeDeployHost("web-2"),
    };

    [Fact]
    public async Task ExecInteractive_AppOnTwoHostsWithoutAHost_IsRefusedListingThem()
    {
        var (lifecycle, _, _) = Create();
        _hosts["web-1"].Seed("shop", "r1", "shop:1", _time.GetUtcNow());
        _hosts["web-2"].Seed("shop", "r1", "shop:1", _time.GetUtcNow());

        var refused = await Assert.ThrowsAsync<InvalidInputException>(() =>
            lifecycle.ExecInteractiveAsync(new DeployCommand("/apps/shop"), "shop", ["sh"], null, interactive: true, tty: true, CancellationToken.None));

        Assert.Equal("shop (production) runs on web-1, web-2: name the host for the session with --host (e.g. --host web-1).", refused.Message);
        Assert.All(_hosts.Values, h => Assert.Empty(h.InteractiveExecs));
    }

    [Fact]
    public async Task ExecInteractive_HostNamed_AttachesToItsContainerWithTheFlags()
    {
        var (lifecycle, _, _) = Create();
        _hosts["web-1"].Seed("shop", "r1", "shop:1", _time.GetUtcNow());
        _hosts["web-2"].Seed("shop", "r1", "shop:1", _time.GetUtcNow());

        var code = await lifecycle.ExecInteractiveAsync(new DeployCommand("/apps/shop"), "shop", ["sh"], "web-2", interactive: true, tty: false, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Empty(_hosts["web-1"].InteractiveExecs);
        var exec = Assert.Single(_hosts["web-2"].InteractiveExecs);
        Assert.Equal(("shop-r1", "sh", true, false), (exec.Name, Assert.Single(exec.Command), exec.Interactive, exec.Tty));
    }

    [Fact]
    public async Task ForDeploy_Preview_GetsItsOwnContainerVolumesAndPort()
    {
        var (_, accessories, _) = Create();
        var preview = new DeployCommand("/apps/shop") { PullRequest = 7 };

        var booted = Assert.Single(await accessories.ForDeployAsync(preview, "shop-pr-7", CancellationToken.None));
        var production = Assert.Single(await accessories.ForDeployAsync(new DeployCommand("/apps/shop"), "shop", CancellationToken.None));

        Assert.Equal("shop-pr-7-accessory-db", booted.Container);
        Assert.Equal(["shop-pr-7-shop-db:/var/lib/postgresql/data"], booted.Volumes);
        Assert.NotEqual(5432, booted.Port);
        Assert.Equal(("shop-accessory-db", 5432), (production.Container, production.Port));
        Assert.Equal(["shop-db:/var/lib/postgresql/data"], production.Volumes);
        Assert.Equal(booted.Port.ToString(), Accessories.Addresses([booted])["DB_PORT"]);
    }

    [Fact]
    public async Task RemovePreviewInstances_RemovesTheAccessoriesOfThatPreviewAndTheirVolumesOnly()
    {
        var (_, accessories, _) = Create();
        var host = _hosts["web-1"];
        var preview = Assert.Single(await accessories.ForDeployAsync(new DeployCommand("/apps/shop") { PullRequest = 7 }, "shop-pr-7", CancellationToken.None));
        var production = Assert.Single(await accessories.ForDeployAsync(new DeployCommand("/apps/shop"), "shop", CancellationToken.None));
        foreach (var (accessory, app) in new[] { (preview, "shop-pr-7"), (production, "shop") })
        {
            await host.RunAsync(new ContainerSpec(accessory.Container, accessory.Image, accessory.Port!.Value)
            {
                Labels = new Dictionary<string, string> { [ContainerLabels.App] = accessory.Container, [Accessories.AccessoryOfLabel] = app },
                Volumes = accessory.Volumes,
            }, CancellationToken.None);
        }

        host.Volumes.UnionWith(["shop-pr-7-shop-db", "shop-db"]);

        var done = await Accessories.RemovePreviewInstancesAsync(host.Host, "shop-pr-7", CancellationToken.None);

        Assert.Equal(["web-1: removed the accessory shop-pr-7-accessory-db and its volumes (shop-pr-7-shop-db removed)"], done);
        Assert.Equal(["shop-accessory-db"], host.Containers.Select(c => c.Spec.Name));
        Assert.Equal(["shop-db"], host.Volumes);
    }

    private (AppLifecycle Lifecycle, Accessories Accessories, DeployService Deploys) Create()
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions
        {
            Target = new TargetOptions
            {
                Docker = new DockerTargetOptions
                {
                    Hosts = [new HostOptions { Name = "web-1", Ssh = "deploy@web-1.internal" }, new HostOptions { Name = "web-2", Ssh = "deploy@web-2.internal" }],
                },
            },
        };
        app.Accessories["db"] = new AccessoryOptions { Image = "postgres:16", Port = 5432, Volumes = ["shop-db:/var/lib/postgresql/data"] };
        var options = Options.Create(app);
        var rolling = new RollingStrategy(new ReleaseLauncher(new HealthChecker(new FakeDeployHost(), _time), _time), _time);
        var deploys = new DeployService(new Hosts(_hosts), [new DockerHostsTarget([rolling], new RollbackService(rolling))], options, _time);
        var accessories = new Accessories(deploys, new SecretResolver([], new SecretValues()), options, _time);
        return (new AppLifecycle(deploys, new FakeDeploymentStore(), new Hosts(_hosts)), accessories, deploys);
    }

    private sealed class Hosts(Dictionary<string, FakeDeployHost> hosts) : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => hosts[options.Name].Host;
    }
}
