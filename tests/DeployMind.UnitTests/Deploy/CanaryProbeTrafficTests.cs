using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy;

public sealed class CanaryProbeTrafficTests
{
    private const string CanaryKey = "canary";
    private const string StableKey = "stable";
    private static readonly CanaryPolicy Policy = new([10, 50, 100], TimeSpan.FromSeconds(30), 0.05, 20, InsufficientDataAction.Extend);

    [Theory]
    [InlineData("healthz", "must be a path on the app that starts with '/'")]
    [InlineData("//evil.example.com/", "must be a path on the app that starts with '/'")]
    [InlineData("/a b", "without spaces")]
    [InlineData("", "must be a path")]
    public void New_BadPath_SaysWhichKeyAndWhat(string path, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => new CanaryProbeTraffic(path, 1));

        Assert.StartsWith("canary.probeTraffic.path", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0.05)]
    [InlineData(20.5)]
    [InlineData(double.NaN)]
    public void New_RateOutOfRange_SaysTheRange(double rate)
    {
        var error = Assert.Throws<InvalidInputException>(() => new CanaryProbeTraffic("/healthz", rate));

        Assert.Contains("canary.probeTraffic.rate", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 0.1 and 20", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostNameOf_AppServedByDomain_NamesItsFirstDomainAndAPreviewItsServerName()
    {
        var health = new HealthPolicy("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1, TimeSpan.FromSeconds(1));
        var request = new DeployRequest(new ReleaseSpec("shop", "r1", "shop:1", null), [], 8080, health);

        Assert.Null(ProbeTrafficSender.HostNameOf(request));
        Assert.Equal("shop.example.com", ProbeTrafficSender.HostNameOf(request with { Domains = ["shop.example.com", "www.shop.example.com"] }));
        Assert.Equal("pr-7.preview.example.com", ProbeTrafficSender.HostNameOf(request with { Domains = ["pr-7.preview.example.com"], ServerName = "pr-7.preview.example.com" }));
        Assert.Equal("pr-8.preview.example.com", ProbeTrafficSender.HostNameOf(request with { ServerName = "pr-8.preview.example.com" }));
    }

    [Fact]
    public void ToPolicy_ProbeTraffic_IsReadAndErrorsNameTheEnvironmentsKey()
    {
        var policy = new CanaryOptions { ProbeTraffic = new ProbeTrafficOptions { Path = "/ping?x=1", Rate = 2.5, PassOnProbes = true } }.ToPolicy("environments.production.canary");

        Assert.Equal(new CanaryProbeTraffic("/ping?x=1", 2.5, passOnProbes: true), policy.ProbeTraffic);
        Assert.Equal(75, policy.ProbeTraffic!.MaxRequests(TimeSpan.FromSeconds(30)));
        Assert.Null(new CanaryOptions().ToPolicy("canary").ProbeTraffic);

        var missing = Assert.Throws<InvalidInputException>(() => new CanaryOptions { ProbeTraffic = new ProbeTrafficOptions { Rate = 2 } }.ToPolicy("environments.production.canary"));
        Assert.StartsWith("environments.production.canary.probeTraffic.path is missing", missing.Message, StringComparison.Ordinal);
        var rate = Assert.Throws<InvalidInputException>(() => new CanaryOptions { ProbeTraffic = new ProbeTrafficOptions { Path = "/", Rate = 50 } }.ToPolicy("environments.production.canary"));
        Assert.StartsWith("environments.production.canary.probeTraffic.rate 50", rate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_QuietUsersAndHealthyProbes_StaysUndecidedByDefault()
    {
        var users = Judge(new UpstreamStats(2, 0, 10), new UpstreamStats(18, 0, 10));
        var probes = Judge(new UpstreamStats(2_000, 0, 10), new UpstreamStats(18_000, 0, 10));
        Assert.Equal(CanaryVerdict.InsufficientData, users.Verdict);
        Assert.Equal(CanaryVerdict.Healthy, probes.Verdict);

        var result = ProbeEvidence.Combine(users, probes, new CanaryProbeTraffic("/healthz", 2));

        Assert.Equal(CanaryVerdict.InsufficientData, result.Verdict);
        Assert.False(result.DecidedOnProbes);
        Assert.Same(probes, result.Probes);
        Assert.Equal(2, result.Canary.Requests); // the users' figures stay the users'
        Assert.Contains("probes never pass a step on their own (set canary.probeTraffic.passOnProbes: true", result.Reason, StringComparison.Ordinal);
        Assert.Contains("; probe requests (counted apart from users'): Healthy: no worse than the stable release", result.Reason, StringComparison.Ordinal);
        Assert.Contains("canary 0/2000 5xx", result.Reason, StringComparison.Ordinal);
        Assert.Equal(CanaryStepAction.Extend, CanaryJudge.Next(result, Policy, 0));
        Assert.Contains(
            "(the app got 20 in all; probe requests, counted apart: 2000 to the canary, 0 5xx, p95 10 ms: the probe requests alone would pass, but probes never pass a step on their own",
            CanaryJudge.RolledBack(result, 10, Policy),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_QuietUsersAndHealthyProbesWithPassOnProbes_IsHealthyOnProbes()
    {
        var users = Judge(new UpstreamStats(2, 0, 10), new UpstreamStats(18, 0, 10));
        var probes = Judge(new UpstreamStats(2_000, 0, 10), new UpstreamStats(18_000, 0, 10));

        var result = ProbeEvidence.Combine(users, probes, new CanaryProbeTraffic("/healthz", 2, passOnProbes: true));

        Assert.Equal(CanaryVerdict.Healthy, result.Verdict);
        Assert.True(result.DecidedOnProbes);
        Assert.Equal(2, result.Canary.Requests);
        Assert.Same(probes.Decision, result.Decision);
        Assert.StartsWith("on the probe requests alone, as canary.probeTraffic.passOnProbes allows: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("users' requests: only 2 canary requests", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_ProbesFailing_FailTheStepEvenWithoutPassOnProbes()
    {
        var users = Judge(new UpstreamStats(2, 0, 10), new UpstreamStats(18, 0, 10));
        var probes = Judge(new UpstreamStats(40, 40, 10), new UpstreamStats(360, 0, 10));
        Assert.Equal(CanaryVerdict.Unhealthy, probes.Verdict);

        var result = ProbeEvidence.Combine(users, probes, new CanaryProbeTraffic("/healthz", 2));

        Assert.Equal(CanaryVerdict.Unhealthy, result.Verdict);
        Assert.True(result.DecidedOnProbes);
        Assert.StartsWith("on the probe requests (canary.probeTraffic /healthz): error rate 100.0% is above the limit", result.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Canary unhealthy at 10%: on the probe requests", CanaryJudge.RolledBack(result, 10, Policy), StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_UsersDecide_ProbesOnlyAddTheirFigures()
    {
        var probes = Judge(new UpstreamStats(40, 0, 10), new UpstreamStats(360, 0, 10));
        var failing = Judge(new UpstreamStats(40, 40, 10), new UpstreamStats(360, 0, 10));
        var healthy = Judge(new UpstreamStats(2_000, 0, 10), new UpstreamStats(18_000, 0, 10));

        var failed = ProbeEvidence.Combine(failing, probes, new CanaryProbeTraffic("/", 1, passOnProbes: true));
        var passed = ProbeEvidence.Combine(healthy, probes, new CanaryProbeTraffic("/", 1));

        Assert.Equal((CanaryVerdict.Unhealthy, false), (failed.Verdict, failed.DecidedOnProbes));
        Assert.Equal((CanaryVerdict.Healthy, false), (passed.Verdict, passed.DecidedOnProbes));
        Assert.Contains("; probe requests (counted apart from users'): ", passed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_PacesAtTheRateMarksEveryRequestAndStopsAtTheBound()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var probe = new RecordingProbe(time);
        var host = new DeployHost("web-1", null!, null!, probe, null!);
        var request = new DeployRequest(new ReleaseSpec("shop", "r2", "shop:2", null), [host], 8080, new HealthPolicy("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1, TimeSpan.FromSeconds(30)))
        {
            Canary = Policy with { ProbeTraffic = new CanaryProbeTraffic("/ping?probe=1", 2) },
            ServerName = "shop.example.com",
        };

        var sending = ProbeTrafficSender.SendAsync(host, request, request.Canary.ProbeTraffic!, "0123456789abcdef0123456789abcdef", time, CancellationToken.None);
        // Fake time moves on in quarter seconds (each Advance fires the sender's pending delay) until the sender is done.
        var giveUp = DateTime.UtcNow.AddSeconds(30);
        while (!sending.IsCompleted && DateTime.UtcNow < giveUp)
        {
            time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        Assert.True(sending.IsCompleted, "the sender stops by itself at its bound");
        Assert.Equal(60, await sending); // 2/s for a 30 s step
        Assert.Equal(60, probe.Requests.Count);
        Assert.All(probe.Requests, r => Assert.Equal(("http://127.0.0.1:8080/ping?probe=1", "shop.example.com", "X-DeployMind-Probe", "0123456789abcdef0123456789abcdef"), (r.Url.ToString(), r.Host, r.Marker.Key, r.Marker.Value)));
        Assert.All(probe.Requests.Select((r, k) => (r.At, k)), r => Assert.True(r.At >= DateTimeOffset.UnixEpoch.AddMilliseconds(500 * r.k), "never faster than 2/s"));
    }

    [Fact]
    public async Task SendAsync_Cancelled_StopsAtOnce()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var probe = new RecordingProbe(time);
        var host = new DeployHost("web-1", null!, null!, probe, null!);
        var request = new DeployRequest(new ReleaseSpec("shop", "r2", "shop:2", null), [host], 8080, new HealthPolicy("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 1, TimeSpan.FromSeconds(30)))
        {
            Canary = Policy with { ProbeTraffic = new CanaryProbeTraffic("/", 1) },
        };
        using var stepOver = new CancellationTokenSource();

        var sending = ProbeTrafficSender.SendAsync(host, request, request.Canary.ProbeTraffic!, "0123456789abcdef", time, stepOver.Token);
        time.Advance(TimeSpan.FromSeconds(3));
        await stepOver.CancelAsync();
        var sent = await sending;

        Assert.InRange(sent, 1, 4);
        Assert.Equal(sent, probe.Requests.Count);
    }

    private static CanaryStepResult Judge(UpstreamStats canary, UpstreamStats stable) =>
        CanaryAnalysis.Judge(
            new TrafficWindow(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddSeconds(30), new Dictionary<string, UpstreamStats> { [CanaryKey] = canary, [StableKey] = stable }),
            CanaryKey,
            StableKey,
            Policy,
            0.1);

    private sealed class RecordingProbe(TimeProvider time) : IHttpProbe
    {
        public List<(Uri Url, string? Host, KeyValuePair<string, string> Marker, DateTimeOffset At)> Requests { get; } = [];

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("probe traffic must be marked");

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("probe traffic must be marked");

        public Task<ProbeResult> GetMarkedAsync(Uri url, string? hostName, KeyValuePair<string, string> marker, TimeSpan timeout, CancellationToken cancellationToken)
        {
            Requests.Add((url, hostName, marker, time.GetUtcNow()));
            return Task.FromResult(new ProbeResult(200, null));
        }
    }
}
