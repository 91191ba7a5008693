using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// The real wiring with a managed nginx in a temp prefix, and the go-stdlib example built once. Releases differ by
/// environment (APP_VERSION, FAIL_RATE, UNHEALTHY), which is how a bad version is made without another build.
/// </summary>
public sealed class DeployFixture : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private IHost? _host;

    public string Image { get; private set; } = string.Empty;

    /// <summary>The managed nginx instance's prefix (conf/sites/ holds one site per app).</summary>
    public string NginxPrefix => _prefix.Path;

    public IServiceProvider Services => _host!.Services;

    public DeployHost LocalHost => Services.GetRequiredService<IDeployHostFactory>().Create(new Application.Configuration.HostOptions { Name = "local" });

    public HealthPolicy Health { get; } = new("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(30));

    public async Task InitializeAsync()
    {
        _host = new CliHostFactory(new Dictionary<string, string?> { ["nginx:prefix"] = _prefix.Path }, null, null)
            .Create(null, Repo.LocalBaseImagesConfig, verbose: false);
        using var source = Repo.CopyOf(Repo.Example("go-stdlib"));
        var builds = Services.GetRequiredService<Application.Build.BuildService>();
        // A tag of its own: test classes sharing the engine (and one another's cached layers) never remove each other's image.
        var plan = await builds.PlanAsync(source.Path, "dm-it-deploy-go:" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
        var result = await builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
        Assert.True(result.Success, result.Error);
        Image = result.ImageTag;
    }

    public DeployRequest Request(string app, string version, int port, IReadOnlyDictionary<string, string>? extraEnv = null, params DeployHost[] hosts)
    {
        var env = new Dictionary<string, string> { ["APP_VERSION"] = version };
        foreach (var (k, v) in extraEnv ?? new Dictionary<string, string>())
        {
            env[k] = v;
        }

        return new DeployRequest(new ReleaseSpec(app, version, Image, null) { Environment = env }, hosts.Length > 0 ? hosts : [LocalHost], port, Health)
        {
            Canary = new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(4), 0.05, 20, InsufficientDataAction.Fail),
            ObservationWindow = TimeSpan.FromSeconds(4),
            Drain = TimeSpan.FromSeconds(1),
        };
    }

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Removes the app's containers and its nginx site.</summary>
    public async Task CleanAsync(string app)
    {
        var host = LocalHost;
        foreach (var container in await host.Runtime.ListAsync(app, CancellationToken.None))
        {
            await host.Runtime.RemoveAsync(container.Name, CancellationToken.None);
        }

        await host.Router.RemoveAsync(app, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            var options = Microsoft.Extensions.Options.Options.Create(new NginxOptions { Prefix = _prefix.Path });
            var router = new NginxTrafficRouter(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System), options.Value, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
            await router.StopAsync(CancellationToken.None);
            _host.Dispose();
        }

        await Docker.RemoveImageAsync(Image);
        _prefix.Dispose();
    }

    public void Dispose() => _prefix.Dispose();
}
