using System.Net.Sockets;
using System.Net;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Nginx;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// Two apps on one nginx instance, one of them with a broken site: its listen port is held by another process, so
/// nginx -t passes but every reload of the instance fails (only nginx's error log says so). The other app's deploys
/// must work, or fail naming the broken site, and never stop the release nginx still points at.
/// </summary>
public sealed class BrokenNeighbourSiteTests : IClassFixture<DeployFixture>, IAsyncLifetime, IDisposable
{
    private readonly DeployFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly string _app = "dmit" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _neighbour = "dmnb" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();

    // The other process on the neighbour's port.
    private readonly TcpListener _holder = new(IPAddress.Loopback, 0);

    public BrokenNeighbourSiteTests(DeployFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        _holder.Start();
    }

    private string SitesDirectory => Path.Combine(_fixture.NginxPrefix, "conf", "sites");

    private int HeldPort => ((IPEndPoint)_holder.LocalEndpoint).Port;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var file in Directory.EnumerateFiles(SitesDirectory, "*" + _neighbour + "*"))
        {
            File.Delete(file);
        }

        await _fixture.CleanAsync(_app);
    }

    public void Dispose() => _holder.Dispose();

    [Fact]
    public async Task Rolling_NeighbourSitePortHeldByAnotherProcess_QuarantinesItAndDeploysWithZeroFailedRequests()
    {
        await DeployAsync("v1");
        // The neighbour's site as an older DeployMind left it after a reload that failed: on disk, not live.
        var neighbourSite = Path.Combine(SitesDirectory, _neighbour + ".conf");
        var route = new RouteSpec(_neighbour, HeldPort, [new UpstreamServer("127.0.0.1:1", 1, "n1")]);
        await File.WriteAllTextAsync(neighbourSite, NginxConfigRenderer.RenderSite(route, "127.0.0.1", Path.Combine(_fixture.NginxPrefix, "logs", _neighbour + ".access.log"), 16, "neighbour-1"));
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync("v2");
        await Task.Delay(500);
        await load.StopAsync();

        _output.WriteLine($"{outcome.Status}: {outcome.Reason}; {load.Requests} requests, {load.Failures} failed, v1 {load.Count("\"version\":\"v1\"")}, v2 {load.Count("\"version\":\"v2\"")}");
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.True(load.Count("\"version\":\"v2\"") > 0, "the load should reach v2 once it is switched");
        Assert.Contains("\"version\":\"v2\"", await GetAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(neighbourSite), "the neighbour's broken site is moved aside");
        Assert.Contains($"listen 127.0.0.1:{HeldPort};", await File.ReadAllTextAsync(neighbourSite + ".broken"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rolling_HandWrittenSitePortHeldByAnotherProcess_FailsNamingItAndOldReleaseKeepsServing()
    {
        await DeployAsync("v1");
        // Not DeployMind's (no route line): never moved, so the instance cannot reload and the deploy must fail cleanly.
        var handmade = Path.Combine(SitesDirectory, _neighbour + ".conf");
        await File.WriteAllTextAsync(handmade, $"server {{\n    listen 127.0.0.1:{HeldPort};\n    return 204;\n}}\n");
        await using var load = new LoadLoop(_port);

        var outcome = await DeployAsync("v2");
        await Task.Delay(500);
        await load.StopAsync();

        _output.WriteLine($"{outcome.Status}: {outcome.Reason}; {load.Requests} requests, {load.Failures} failed");
        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains($"bind() to 127.0.0.1:{HeldPort} failed (98: Address already in use)", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains($"It is the listen port of {handmade}", outcome.Reason, StringComparison.Ordinal);
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples)}");
        Assert.Equal(0, load.Count("\"version\":\"v2\""));
        var containers = await _fixture.LocalHost.Runtime.ListAsync(_app, CancellationToken.None);
        Assert.Contains(containers, c => c.Running && c.Label(ContainerLabels.Release) == "v1");
        Assert.DoesNotContain(containers, c => c.Label(ContainerLabels.Release) == "v2");
        Assert.Equal("v1", Assert.Single((await _fixture.LocalHost.Router.GetAsync(_app, CancellationToken.None))!.Servers).Label);
        Assert.Contains("\"version\":\"v1\"", await GetAsync(), StringComparison.Ordinal);
        Assert.True(File.Exists(handmade));
    }

    private async Task<DeployOutcome> DeployAsync(string version)
    {
        var strategy = _fixture.Get<IEnumerable<IDeploymentStrategy>>().OfType<RollingStrategy>().Single();
        return await strategy.DeployAsync(_fixture.Request(_app, version, _port), NullDeployObserver.Instance, CancellationToken.None);
    }

    private async Task<string> GetAsync()
    {
        using var client = new HttpClient();
        return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
    }
}
