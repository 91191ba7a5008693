using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Docker;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>The same deploy code over SSH (the test sshd on 127.0.0.1:2222 reaches this machine's Docker and nginx).</summary>
public sealed class SshDeployTests : IClassFixture<DeployFixture>
{
    private readonly DeployFixture _fixture;

    public SshDeployTests(DeployFixture fixture)
    {
        _fixture = fixture;
        SshTestServer.EnsureRunning();
    }

    private DeployHost SshHost => _fixture.Get<IDeployHostFactory>().Create(new Application.Configuration.HostOptions
    {
        Name = "ssh-loopback",
        Ssh = $"ssh://{SshTestServer.User}@{SshTestServer.Host}:{SshTestServer.Port}",
        Key = SshTestServer.PrivateKey,
        KnownHosts = SshTestServer.KnownHosts,
    });

    [Fact]
    public async Task Rolling_SameDeployOnLocalAndSshHost_BothServeTheNewRelease()
    {
        var rolling = _fixture.Get<RollingStrategy>();
        foreach (var host in new[] { _fixture.LocalHost, SshHost })
        {
            var app = "dmit" + Guid.NewGuid().ToString("N")[..8];
            var port = Docker.FreePort();
            try
            {
                var first = await rolling.DeployAsync(_fixture.Request(app, "v1", port, null, host), NullDeployObserver.Instance, CancellationToken.None);
                var second = await rolling.DeployAsync(_fixture.Request(app, "v2", port, null, host), NullDeployObserver.Instance, CancellationToken.None);

                Assert.True(first.Status == DeployStatus.Succeeded, $"{host.Name}: {first.Reason}");
                Assert.True(second.Status == DeployStatus.Succeeded, $"{host.Name}: {second.Reason}");
                using var client = new HttpClient();
                Assert.Contains("\"version\":\"v2\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/")), StringComparison.Ordinal);
                var containers = await host.Runtime.ListAsync(app, CancellationToken.None);
                Assert.Equal(["v1", "v2"], containers.Select(c => c.Label(ContainerLabels.Release)).Order(StringComparer.Ordinal));
                Assert.Equal("v2", Assert.Single(containers, c => c.Running).Label(ContainerLabels.Release));
            }
            finally
            {
                await _fixture.CleanAsync(app);
            }
        }
    }

    [Fact]
    public async Task Rolling_ReleaseListeningOnAFixedPortOverSsh_FailsLongBeforeTheDeadlineNamingThePort()
    {
        // curl on the host says refused, docker top and ss run there too: the diagnosis needs nothing local.
        var app = "dmitsshport" + Guid.NewGuid().ToString("N")[..8];
        var fixedPort = Docker.FreePort();
        var request = _fixture.Request(app, "v1", Docker.FreePort(), new Dictionary<string, string> { ["PORT"] = fixedPort.ToString(System.Globalization.CultureInfo.InvariantCulture) }, SshHost) with
        {
            // A deadline far beyond what the diagnosis needs: the test proves it does not wait for it, even on a loaded machine.
            Health = new HealthPolicy("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(120)),
        };
        try
        {
            var started = DateTime.UtcNow;
            var outcome = await _fixture.Get<RollingStrategy>().DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);

            Assert.Equal(DeployStatus.Failed, outcome.Status);
            Assert.Contains($"listens on {fixedPort}, not on $PORT=", outcome.Reason, StringComparison.Ordinal);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), $"took {DateTime.UtcNow - started}, as if it waited for the 120 s deadline");
        }
        finally
        {
            await _fixture.CleanAsync(app);
        }
    }

    [Fact]
    public async Task Runtime_HostileLabelsAndEnvironmentOverSsh_ArriveAsDataAndRunNothing()
    {
        var marker = $"/tmp/dm-pwned-{Guid.NewGuid():N}";
        var hostile = new[] { $"main;touch {marker}", $"$(touch {marker})", $"`touch {marker}`", $"a' ; touch {marker}; echo '", $"x\ntouch {marker}" };
        using var runner = SshTestServer.CreateRunner();
        var runtime = new DockerContainerRuntime(runner);
        var name = "dmit-hostile-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var labels = hostile.Select((h, i) => ($"io.deploymind.test{i}", h)).ToDictionary(p => p.Item1, p => p.h);
            labels[ContainerLabels.App] = name;
            labels[ContainerLabels.Commit] = hostile[4];
            await runtime.RunAsync(new ContainerSpec(name, _fixture.Image, Docker.FreePort())
            {
                Labels = labels,
                Environment = new Dictionary<string, string> { ["BRANCH"] = hostile[0], ["TAG"] = hostile[1] },
            }, CancellationToken.None);

            // Every label as given (inspect reads them all); the listing reads DeployMind's own, a newline in one included.
            var state = await runtime.InspectAsync(name, CancellationToken.None);
            for (var i = 0; i < hostile.Length; i++)
            {
                Assert.Equal(hostile[i], state!.Label($"io.deploymind.test{i}"));
            }

            var listed = Assert.Single(await runtime.ListAsync(name, CancellationToken.None));
            Assert.Equal((name, hostile[4]), (listed.Name, listed.Label(ContainerLabels.Commit)));

            var env = await Docker.RunAsync("container", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", name);
            Assert.Contains($"BRANCH={hostile[0]}", env.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"TAG={hostile[1]}", env.StandardOutput, StringComparison.Ordinal);
            Assert.False(File.Exists(marker), "a shell on the SSH host ran part of a label or variable");
        }
        finally
        {
            await runtime.RemoveAsync(name, CancellationToken.None);
        }
    }
}
