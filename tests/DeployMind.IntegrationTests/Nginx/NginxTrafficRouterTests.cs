using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>The nginx router against a real managed nginx in a temp prefix, with loopback backends.</summary>
public sealed class NginxTrafficRouterTests : IClassFixture<NginxFixture>, IDisposable
{
    private readonly NginxFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(10) };

    public NginxTrafficRouterTests(NginxFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task ApplyAsync_Weights90To10_SplitsTrafficAndAccessLogMatchesClient()
    {
        var port = Docker.FreePort();
        var route = new RouteSpec("weights", port, [new(_fixture.A.Address, 90, "stable"), new(_fixture.B.Address, 10, "canary")]);
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);

        await _fixture.Router.ApplyAsync(route, CancellationToken.None);

        // What the client saw, per backend (the body names it) and status; the warm-up request counts too.
        var seen = new ConcurrentDictionary<(string Backend, int Status), int>();
        seen[await WaitUntilServingAsync(port)] = 1;
        var stopwatch = Stopwatch.StartNew();
        var remaining = 2000;
        async Task ClientAsync()
        {
            while (Interlocked.Decrement(ref remaining) >= 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(60))
            {
                using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                var body = await response.Content.ReadAsStringAsync();
                seen.AddOrUpdate((body, (int)response.StatusCode), 1, (_, n) => n + 1);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ClientAsync)));
        var to = DateTimeOffset.UtcNow.AddSeconds(1);
        var total = seen.Values.Sum();
        var canary = seen.Where(kv => kv.Key.Backend == "b").Sum(kv => kv.Value);
        var canaryErrors = seen.GetValueOrDefault(("b", 500));
        var stable = seen.Where(kv => kv.Key.Backend == "a").Sum(kv => kv.Value);
        var share = 100.0 * canary / total;
        _output.WriteLine($"{total} requests in {stopwatch.Elapsed.TotalSeconds:F1}s: a {stable}, b {canary} ({share:F2}%, {canaryErrors} answered 500)");

        Assert.True(total >= 2000, $"only {total} requests within 60 s");
        Assert.Equal(total, stable + canary);
        Assert.InRange(share, 7.0, 13.0);
        Assert.True(canaryErrors > 0, "the canary backend answers 500 for a fifth of its requests");

        // nginx writes the log line as the request ends: poll briefly until every request the client saw is there.
        var traffic = await WaitForTrafficAsync("weights", from, to, total);
        Assert.Equal(total, traffic.TotalRequests);
        Assert.Equal(stable, traffic.For(_fixture.A.Address).Requests);
        Assert.Equal(0, traffic.For(_fixture.A.Address).ServerErrors);
        Assert.Equal(canary, traffic.For(_fixture.B.Address).Requests);
        Assert.Equal(canaryErrors, traffic.For(_fixture.B.Address).ServerErrors);
        Assert.Equal(2, traffic.ByUpstream.Count);
        Assert.All(traffic.ByUpstream.Values, s => Assert.InRange(s.P95Milliseconds, 0, 1000));

        // A window before the requests holds none of them.
        var before = await _fixture.Router.ReadTrafficAsync("weights", from.AddHours(-1), from, CancellationToken.None);
        Assert.Equal(0, before.TotalRequests);
    }

    [Fact]
    public async Task ApplyAsync_SwitchUpstreamUnderLoad_LosesNoRequests()
    {
        var port = Docker.FreePort();
        var onA = new RouteSpec("switch", port, [new(_fixture.A.Address, 1, "blue")]);
        var onC = new RouteSpec("switch", port, [new(_fixture.C.Address, 1, "green")]);
        await _fixture.Router.ApplyAsync(onA, CancellationToken.None);
        await WaitUntilServingAsync(port);

        // Each request on its own connection. On a reload the old workers finish in-flight requests but close their
        // idle keep-alive connections at once; a client that reuses such a connection at that very moment sees a reset
        // (the keep-alive race every reload-based proxy has, and that browsers answer by retrying). That is client-side
        // connection reuse, not a request nginx dropped, so the count here is of requests nginx received.
        var served = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var lastBody = new ConcurrentDictionary<int, string>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var total = 0;
        async Task ClientAsync(int client)
        {
            // Bounded in time (10 s) and count (far above what 10 s allow here).
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref total) <= 1_000_000)
            {
                try
                {
                    // A new connection per request: see the note above.
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
                    request.Headers.ConnectionClose = true;
                    using var response = await _http.SendAsync(request, CancellationToken.None);
                    var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        served.AddOrUpdate(body, 1, (_, n) => n + 1);
                        lastBody[client] = body;
                    }
                    else
                    {
                        failures.Enqueue($"status {(int)response.StatusCode}: {body}");
                    }
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue($"{ex.Message} {ex.InnerException?.GetType().Name}: {ex.InnerException?.Message} {ex.InnerException?.InnerException?.Message}");
                }
            }
        }

        var load = Enumerable.Range(0, 4).Select(i => Task.Run(() => ClientAsync(i))).ToArray();

        // Switch back and forth under load; every switch is a graceful reload. It ends on c.
        foreach (var (route, at) in new[] { (onC, 2), (onA, 4), (onC, 6) })
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await _fixture.Router.ApplyAsync(route, CancellationToken.None);
            _output.WriteLine($"switched to {route.Servers[0].Label} at ~{at}s");
        }

        await Task.WhenAll(load);
        var requests = served.Values.Sum() + failures.Count;
        _output.WriteLine($"{requests} requests: a {served.GetValueOrDefault("a")}, c {served.GetValueOrDefault("c")}, lost {failures.Count}");
        foreach (var failure in failures.Take(10))
        {
            _output.WriteLine(failure);
        }

        Assert.Empty(failures);
        Assert.True(served.GetValueOrDefault("a") > 100 && served.GetValueOrDefault("c") > 100, "both upstreams served part of the load");
        Assert.All(lastBody.Values, body => Assert.Equal("c", body));
        Assert.Equal(_fixture.C.Address, Assert.Single((await _fixture.Router.GetAsync("switch", CancellationToken.None))!.Servers).Address);
    }

    [Fact]
    public async Task VerifiedLedger_KeepsEachReleaseOnce_NewestLast_BesideASiteNginxStillLoads()
    {
        var port = Docker.FreePort();
        await _fixture.Router.ApplyAsync(new RouteSpec("ledger", port, [new(_fixture.A.Address, 1, "r1")]), CancellationToken.None);
        Assert.Empty(await _fixture.Router.VerifiedAsync("ledger", CancellationToken.None));

        await _fixture.Router.RecordVerifiedAsync("ledger", "r1", CancellationToken.None);
        await _fixture.Router.RecordVerifiedAsync("ledger", "r2", CancellationToken.None);
        await _fixture.Router.RecordVerifiedAsync("ledger", "r1", CancellationToken.None);

        Assert.Equal(["r2", "r1"], await _fixture.Router.VerifiedAsync("ledger", CancellationToken.None));
        Assert.Empty(await _fixture.Router.VerifiedAsync("another-app", CancellationToken.None));

        // The ledger is not a site: the next switch still tests, reloads and is confirmed.
        await _fixture.Router.ApplyAsync(new RouteSpec("ledger", port, [new(_fixture.C.Address, 1, "r3")]), CancellationToken.None);
        Assert.Equal("r3", Assert.Single((await _fixture.Router.GetAsync("ledger", CancellationToken.None))!.Servers).Label);
    }

    [Fact]
    public async Task ApplyAsync_UpstreamNginxRejects_ThrowsNginxErrorAndKeepsOldRoute()
    {
        var port = Docker.FreePort();
        var good = new RouteSpec("reject", port, [new(_fixture.A.Address, 1, "v1")]);
        await _fixture.Router.ApplyAsync(good, CancellationToken.None);
        await WaitUntilServingAsync(port);

        // Valid host:port for DeployMind, but nginx cannot resolve the host when it loads the configuration.
        var bad = new RouteSpec("reject", port, [new("no-such-host.invalid:8080", 1, "v2")]);
        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => _fixture.Router.ApplyAsync(bad, CancellationToken.None));

        _output.WriteLine(error.Message);
        Assert.Contains("host not found in upstream \"no-such-host.invalid:8080\"", error.Message, StringComparison.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("a", await response.Content.ReadAsStringAsync());
        }

        var current = await _fixture.CreateRouter().GetAsync("reject", CancellationToken.None);
        Assert.NotNull(current);
        Assert.Equal(_fixture.A.Address, Assert.Single(current.Servers).Address);
        Assert.Equal("v1", current.Servers[0].Label);
    }

    [Fact]
    public async Task ApplyAsync_ListenPortHeldByAnotherProcess_ReportsNginxsBindErrorAndKeepsServingTheOldRoute()
    {
        var port = Docker.FreePort();
        var good = new RouteSpec("held", port, [new(_fixture.A.Address, 1, "v1")]);
        await _fixture.Router.ApplyAsync(good, CancellationToken.None);
        Assert.Equal(("a", 200), await WaitUntilServingAsync(port));
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var held = ((IPEndPoint)holder.LocalEndpoint).Port;

        // nginx -t binds nothing, so it passes; the reload fails and only nginx's error log says why.
        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RouterConfigurationException>(
            () => _fixture.Router.ApplyAsync(good with { ListenPort = held, Servers = [new(_fixture.C.Address, 1, "v2")] }, CancellationToken.None));

        _output.WriteLine($"failed after {stopwatch.ElapsedMilliseconds} ms: {error.Message}");
        Assert.Contains("did not switch app 'held'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"bind() to 127.0.0.1:{held} failed (98: Address already in use)", error.Message, StringComparison.Ordinal);
        Assert.Contains("previous site file is back in place", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", await GetOnNewConnectionAsync(port));
        var onDisk = await _fixture.CreateRouter().GetAsync("held", CancellationToken.None);
        Assert.Equal(port, onDisk!.ListenPort);
        Assert.Equal("v1", Assert.Single(onDisk.Servers).Label);

        // The instance is not left unable to reload: the next switch takes effect (on a new connection: a pooled one may
        // still reach an old worker finishing its last requests).
        await _fixture.Router.ApplyAsync(good with { Servers = [new(_fixture.C.Address, 1, "v3")] }, CancellationToken.None);
        Assert.Equal("c", await GetOnNewConnectionAsync(port));
    }

    [Fact]
    public async Task ApplyAsync_Confirmed_NginxServesTheNewGenerationWithoutLoggingIt()
    {
        var port = Docker.FreePort();
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        var stopwatch = Stopwatch.StartNew();
        await _fixture.Router.ApplyAsync(new RouteSpec("generation", port, [new(_fixture.A.Address, 1, "v1")]), CancellationToken.None);
        _output.WriteLine($"switch confirmed after {stopwatch.ElapsedMilliseconds} ms (write, nginx -t, reload, until nginx serves it)");
        var site = await File.ReadAllTextAsync(Path.Combine(_fixture.Prefix, "conf", "sites", "generation.conf"));

        // ApplyAsync returned: nginx already serves this generation (no polling here).
        var generation = await GetOnNewConnectionAsync(port, "/.deploymind/route");
        var app = await GetOnNewConnectionAsync(port);

        Assert.Equal(NginxConfigRenderer.GenerationOf(site), generation);
        Assert.Equal("a", app);
        var traffic = await WaitForTrafficAsync("generation", from, DateTimeOffset.UtcNow.AddSeconds(1), 1);
        Assert.Equal(1, traffic.TotalRequests);
    }

    [Fact]
    public async Task GetAsync_NewRouterOnSamePrefix_ReadsRouteFromFiles()
    {
        var port = Docker.FreePort();
        var route = new RouteSpec("readback", port, [new(_fixture.A.Address, 75, "release 41"), new(_fixture.C.Address, 25, "release \"42\"")])
        {
            ServerName = "pr-12.preview.example.com",
        };
        await _fixture.Router.ApplyAsync(route, CancellationToken.None);

        using var fresh = _fixture.CreateRouter();
        var read = await fresh.GetAsync("readback", CancellationToken.None);
        var missing = await fresh.GetAsync("never-routed", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(route.App, read.App);
        Assert.Equal(route.ListenPort, read.ListenPort);
        Assert.Equal(route.ServerName, read.ServerName);
        Assert.Equal(route.Servers, read.Servers);
        Assert.Null(missing);
    }

    [Fact]
    public async Task RemoveAsync_AppRouted_StopsServingItsPortOnly()
    {
        var removedPort = Docker.FreePort();
        var keptPort = Docker.FreePort();
        await _fixture.Router.ApplyAsync(new RouteSpec("removed", removedPort, [new(_fixture.A.Address, 1, "v1")]), CancellationToken.None);
        await _fixture.Router.ApplyAsync(new RouteSpec("kept", keptPort, [new(_fixture.C.Address, 1, "v1")]), CancellationToken.None);
        await WaitUntilServingAsync(removedPort);
        await WaitUntilServingAsync(keptPort);

        await _fixture.Router.RemoveAsync("removed", CancellationToken.None);
        await _fixture.Router.RemoveAsync("removed", CancellationToken.None);

        await WaitUntilRefusedAsync(removedPort);
        Assert.Null(await _fixture.Router.GetAsync("removed", CancellationToken.None));
        Assert.NotNull(await _fixture.Router.GetAsync("kept", CancellationToken.None));
        using var kept = await _http.GetAsync(new Uri($"http://127.0.0.1:{keptPort}/"));
        Assert.Equal("c", await kept.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ApplyAsync_LargeBodies_PassThroughWithoutTempFiles()
    {
        // Run as root, the workers are nobody and cannot enter the 0700 temp prefix: bodies must be streamed.
        var port = Docker.FreePort();
        await _fixture.Router.ApplyAsync(new RouteSpec("bodies", port, [new(_fixture.C.Address, 1, "v1")]), CancellationToken.None);
        await WaitUntilServingAsync(port);

        using var upload = new StringContent(new string('x', 1024 * 1024));
        using var posted = await _http.PostAsync(new Uri($"http://127.0.0.1:{port}/upload"), upload);
        var download = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/big"));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal("c", await posted.Content.ReadAsStringAsync());
        Assert.Equal(TestBackend.BigResponseLength, download.Length);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_fixture.Prefix, "temp"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ReadTrafficAsync_AppWithoutLog_ReturnsEmptyWindow()
    {
        var to = DateTimeOffset.UtcNow;

        var traffic = await _fixture.Router.ReadTrafficAsync("no-traffic-yet", to.AddMinutes(-5), to, CancellationToken.None);

        Assert.Equal(0, traffic.TotalRequests);
        Assert.Empty(traffic.ByUpstream);
    }

    [Fact]
    public async Task EnsureRunningAsync_AlreadyRunning_KeepsTheSameMaster()
    {
        var pidFile = Path.Combine(_fixture.Prefix, "logs", "nginx.pid");
        var before = await File.ReadAllTextAsync(pidFile);

        await _fixture.Router.EnsureRunningAsync(CancellationToken.None);

        Assert.Equal(before, await File.ReadAllTextAsync(pidFile));
        Assert.True(Directory.Exists($"/proc/{before.Trim()}"), "the master named in the pid file runs");
    }

    private async Task<TrafficWindow> WaitForTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, int expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var traffic = await _fixture.Router.ReadTrafficAsync(app, from, to, CancellationToken.None);
            if (traffic.TotalRequests >= expected || deadline.Elapsed > TimeSpan.FromSeconds(5))
            {
                return traffic;
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task DrainedAsync_RequestInFlightUnderTheReplacedConfiguration_FalseUntilItHasEnded()
    {
        var port = Docker.FreePort();
        using var slow = new TcpListener(IPAddress.Loopback, 0);
        slow.Start();
        var old = new RouteSpec("drain", port, [new($"127.0.0.1:{((IPEndPoint)slow.LocalEndpoint).Port}", 1, "old")]);
        await _fixture.Router.ApplyAsync(old, CancellationToken.None);

        // A request nginx has passed on to the old upstream, which holds its answer.
        var inFlight = _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"));
        using var upstream = await slow.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var stream = upstream.GetStream();
        var request = new byte[4096];
        var read = 0;
        while (!System.Text.Encoding.ASCII.GetString(request, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            read += await stream.ReadAsync(request.AsMemory(read));
        }

        await _fixture.Router.ApplyAsync(new RouteSpec("drain", port, [new(_fixture.A.Address, 1, "new")]), CancellationToken.None);

        Assert.False(await _fixture.Router.DrainedAsync(CancellationToken.None), "drained while a request under the replaced configuration runs");
        Assert.Equal("a", (await WaitUntilServingAsync(port)).Body); // new requests go to the new upstream meanwhile
        Assert.False(await _fixture.Router.DrainedAsync(CancellationToken.None));

        await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nold"u8.ToArray());
        Assert.Equal("old", await inFlight.WaitAsync(TimeSpan.FromSeconds(10)));
        var clock = Stopwatch.StartNew();
        while (!await _fixture.Router.DrainedAsync(CancellationToken.None))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the old workers did not exit after their last request");
            await Task.Delay(20);
        }

        _output.WriteLine($"drained {clock.ElapsedMilliseconds} ms after the last request under the old configuration ended");
    }

    /// <summary>A reload is a signal: polls until nginx answers on <paramref name="port"/>; returns the answer's body and status.</summary>
    private async Task<(string Body, int Status)> WaitUntilServingAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                return (await response.Content.ReadAsStringAsync(), (int)response.StatusCode);
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
    }

    private static async Task<string> GetOnNewConnectionAsync(int port, string path = "/")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}{path}"));
    }

    private static async Task WaitUntilRefusedAsync(int port)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // A new client each time: no pooled connection to the old workers.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (HttpRequestException)
            {
                return;
            }

            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"port {port} still served 10 s after the route was removed");
            await Task.Delay(50);
        }
    }
}
