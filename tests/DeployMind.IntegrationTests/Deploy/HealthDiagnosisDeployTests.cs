using System.Diagnostics;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// Releases that can never pass their health check, on the real engine behind a real nginx: the deploy fails long
/// before the health deadline, saying what to change, while the previous release keeps serving.
/// </summary>
public sealed class HealthDiagnosisDeployTests : IClassFixture<DeployFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmitdiag" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    public HealthDiagnosisDeployTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _fixture.CleanAsync(_app);

    [Fact]
    public async Task Deploy_ReleaseListeningOnAFixedPort_FailsLongBeforeTheDeadlineNamingBothPortsAndOldKeepsServing()
    {
        Assert.Equal(DeployStatus.Succeeded, (await DeployAsync("v1", "/health")).Status);
        await using var load = new LoadLoop(_port);

        // PORT set in the release's own environment wins over DeployMind's: the app listens on a port of its choosing.
        var fixedPort = Docker.FreePort();
        var clock = Stopwatch.StartNew();
        var outcome = await DeployAsync("v2", "/health", new Dictionary<string, string> { ["PORT"] = fixedPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        clock.Stop();
        await load.StopAsync();

        _output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s (health deadline {Deadline.TotalSeconds} s): {outcome.Reason}");
        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains($"listens on {fixedPort}, not on $PORT=", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("Make it listen on the port in PORT", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains($"listening on http://127.0.0.1:{fixedPort}", outcome.Reason, StringComparison.Ordinal); // its log
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.Equal(0, load.Count("\"version\":\"v2\""));
        Assert.DoesNotContain(await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None), c => c.Label(ContainerLabels.Release) == "v2");
        Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_HealthPathTheAppDoesNotServe_FailsAfterThree404sNamingThePathAndTheKey()
    {
        Assert.Equal(DeployStatus.Succeeded, (await DeployAsync("v1", "/health")).Status);

        var clock = Stopwatch.StartNew();
        var outcome = await DeployAsync("v2", "/healthz");
        clock.Stop();

        _output.WriteLine($"failed after {clock.Elapsed.TotalSeconds:0.0} s (health deadline {Deadline.TotalSeconds} s): {outcome.Reason}");
        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("/healthz answered 404 3 times in a row: the app answers on port", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("Set healthCheck.path to a path it serves (/ answers 200), or give the app a /healthz route.", outcome.Reason, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
    }

    private async Task<DeployOutcome> DeployAsync(string version, string healthPath, Dictionary<string, string>? env = null)
    {
        var request = _fixture.Request(_app, version, _port, env) with
        {
            Health = new HealthPolicy(healthPath, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), 3, Deadline),
        };
        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<RollingStrategy>().Single();
        return await strategy.DeployAsync(request, NullDeployObserver.Instance, CancellationToken.None);
    }

    private async Task<string> GetAsync()
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
    }
}
