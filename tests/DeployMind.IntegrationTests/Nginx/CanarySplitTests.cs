using System.Diagnostics;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// The canary judge's split check on figures read from a real nginx's access log: a canary upstream that drops a
/// share of its connections is passed over by nginx (the request is retried on the stable upstream), so the canary
/// gets fewer requests than its weight; the judge reports that as a sample ratio mismatch, and a sound canary's
/// split as matching. Loopback only; each run bounded to 2,000 requests and 30 s.
/// </summary>
public sealed class CanarySplitTests : IClassFixture<NginxFixture>, IDisposable
{
    private const int Requests = 2000;
    private static readonly CanaryPolicy Policy = new([10, 100], TimeSpan.FromSeconds(30), 0.5, 20, InsufficientDataAction.Fail);
    private readonly NginxFixture _fixture;
    private readonly ITestOutputHelper _output;
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(10) };

    public CanarySplitTests(NginxFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Canary_UpstreamDroppingHalfItsConnections_IsASampleRatioMismatch()
    {
        await using var stable = new TestBackend("s");
        await using var canary = new TestBackend("c", dropShare: 0.5);

        var result = await JudgeAsync("srmdrop", stable, canary);

        Assert.Equal(CanaryVerdict.SampleRatioMismatch, result.Verdict);
        Assert.Equal("split", result.Decision!.Rule);
        Assert.True(result.Decision.Split!.ObservedShare < 0.08, result.Reason);
        Assert.Contains("sample ratio mismatch: the canary got ", result.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Canary sample ratio mismatch at 10%: ", CanaryJudge.RolledBack(result, 10, Policy), StringComparison.Ordinal);
        Assert.Equal(CanaryStepAction.RollBack, CanaryJudge.Next(result, Policy, 0));
    }

    [Fact]
    public async Task Canary_SoundUpstream_SplitMatchesTheWeight()
    {
        await using var stable = new TestBackend("s");
        await using var canary = new TestBackend("c");

        var result = await JudgeAsync("srmok", stable, canary);

        Assert.NotEqual(CanaryVerdict.SampleRatioMismatch, result.Verdict);
        Assert.False(result.Decision!.Split!.Mismatch, result.Reason);
        Assert.InRange(result.Decision.Split.ObservedShare, 0.09, 0.11);
        Assert.NotNull(result.Decision.Latency);
    }

    // Weights 90/10 as the canary strategy sets them, a bounded burst of requests, the window read back through the
    // router and judged as the canary strategy judges it.
    private async Task<CanaryStepResult> JudgeAsync(string app, TestBackend stable, TestBackend canary)
    {
        var port = Docker.FreePort();
        var from = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _fixture.Router.ApplyAsync(new RouteSpec(app, port, [new(stable.Address, 90, "r1"), new(canary.Address, 10, "r2")]), CancellationToken.None);
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var remaining = Requests;
            var answered = 0;
            async Task ClientAsync()
            {
                while (Interlocked.Decrement(ref remaining) >= 0 && stopwatch.Elapsed < TimeSpan.FromSeconds(30))
                {
                    try
                    {
                        using var response = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                        Interlocked.Increment(ref answered);
                    }
                    catch (HttpRequestException)
                    {
                        // Not yet serving (the first requests after the reload): not counted.
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(ClientAsync)));
            var to = DateTimeOffset.UtcNow.AddSeconds(1);
            TrafficWindow window;
            var wait = Stopwatch.StartNew();
            do
            {
                window = await _fixture.Router.ReadTrafficAsync(app, from, to, CancellationToken.None);
            }
            while (window.TotalRequests < answered && wait.Elapsed < TimeSpan.FromSeconds(5) && await Delay());

            var result = CanaryAnalysis.Judge(window, canary.Address, stable.Address, Policy, 0.1);
            _output.WriteLine($"{answered} answered in {stopwatch.Elapsed.TotalSeconds:F1}s; {result.Verdict}: {result.Reason}");
            Assert.True(answered >= Requests * 0.9, $"only {answered} of {Requests} requests were answered");
            return result;
        }
        finally
        {
            await _fixture.Router.RemoveAsync(app, CancellationToken.None);
        }
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(50);
        return true;
    }
}
