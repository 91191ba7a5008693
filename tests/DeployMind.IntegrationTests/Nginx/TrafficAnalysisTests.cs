using System.Diagnostics;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// Incremental traffic analysis through a real nginx: a window's figures grow by exactly the requests sent, across a
/// rotation of the access log in the middle of the window (DeployMind's own: moved to .1, nginx reopens), here and over
/// SSH (the test sshd on 127.0.0.1:2222 reaches this machine's files and nginx). Loopback only, a few hundred requests.
/// </summary>
public sealed class TrafficAnalysisTests : IClassFixture<NginxFixture>, IDisposable
{
    private readonly NginxFixture _fixture;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public TrafficAnalysisTests(NginxFixture fixture) => _fixture = fixture;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ReadTrafficAsync_RotatedMidWindow_CountsEveryRequestOnce()
    {
        // Any non-empty log is "too large": every rotation check rotates (the setting's floor is not checked here).
        using var router = Router(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System));
        await RotatedMidWindowAsync(router, "rotlocal");
    }

    [Fact]
    public async Task ReadTrafficAsync_OverSsh_RotatedMidWindow_CountsEveryRequestOnce()
    {
        SshTestServer.EnsureRunning();
        await using var runner = SshTestServer.CreateRunner();
        using var router = Router(runner);
        await RotatedMidWindowAsync(router, "rotssh");
    }

    [Fact]
    public async Task RotateLogsAsync_LogOverTheLimit_MovesItAndNginxWritesANewOne()
    {
        using var router = Router(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System));
        var port = Docker.FreePort();
        await router.ApplyAsync(new RouteSpec("rotonly", port, [new(_fixture.A.Address, 1, "a")]), CancellationToken.None);
        var log = Path.Combine(_fixture.Prefix, "logs", "rotonly.access.log");
        await SendAsync(port, 5);
        await WaitAsync(() => File.Exists(log) && new FileInfo(log).Length > 0);

        var rotated = await router.RotateLogsAsync(CancellationToken.None);

        Assert.Contains(log, rotated);
        Assert.True(File.Exists(log + ".1"));
        // nginx reopens its logs asynchronously (the master signals its workers): a request may still go to the old file.
        for (var i = 0; i < 50 && !(File.Exists(log) && new FileInfo(log).Length > 0); i++)
        {
            await SendAsync(port, 1);
            await Task.Delay(50);
        }

        Assert.True(File.Exists(log) && new FileInfo(log).Length > 0, "nginx writes a new log after the rotation");
        Assert.True((await File.ReadAllLinesAsync(log + ".1")).Length >= 5);
    }

    private async Task RotatedMidWindowAsync(NginxTrafficRouter router, string app)
    {
        var port = Docker.FreePort();
        await router.ApplyAsync(new RouteSpec(app, port, [new(_fixture.A.Address, 1, "a"), new(_fixture.C.Address, 1, "c")]), CancellationToken.None);
        var log = Path.Combine(_fixture.Prefix, "logs", app + ".access.log");
        await SendAsync(port, 3);
        await WaitAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 3);
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        await SendAsync(port, 40);
        var first = await WaitForAsync(router, app, from, 40);
        Assert.Equal(40, first.TotalRequests);

        await SendAsync(port, 25);
        var moved = await router.RotateLogsAsync(CancellationToken.None);
        Assert.Contains(log, moved);
        await SendAsync(port, 15);
        var second = await WaitForAsync(router, app, from, 80);

        await SendAsync(port, 10);
        var third = await WaitForAsync(router, app, from, 90);

        Assert.Equal(80, second.TotalRequests);
        Assert.Equal(90, third.TotalRequests);
        Assert.Empty(third.Gaps);
        Assert.Equal(90, third.ByUpstream.Values.Sum(s => s.Latencies!.Count));
        Assert.True(File.Exists(log + ".1"), "the log was rotated");
    }

    private NginxTrafficRouter Router(ICommandRunner runner)
    {
        var options = new NginxOptions
        {
            Prefix = _fixture.Options.Prefix,
            ListenAddress = _fixture.Options.ListenAddress,
            WorkerProcesses = _fixture.Options.WorkerProcesses,
            AccessLogMaxBytes = 1,
        };
        return new NginxTrafficRouter(runner, options, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
    }

    private async Task SendAsync(int port, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>The window up to now, read again until it holds <paramref name="expected"/> requests (nginx logs a request after answering it) or 10 s pass.</summary>
    private static async Task<TrafficWindow> WaitForAsync(NginxTrafficRouter router, string app, DateTimeOffset from, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var window = await router.ReadTrafficAsync(app, from, DateTimeOffset.UtcNow, CancellationToken.None);
            if (window.TotalRequests >= expected || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                return window;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition() && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
    }
}
