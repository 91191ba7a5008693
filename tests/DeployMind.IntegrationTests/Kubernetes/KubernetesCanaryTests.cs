using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>Canary on Kubernetes against the loopback API server: a second Deployment behind the same Service, sized per step.</summary>
public sealed class KubernetesCanaryTests : IAsyncLifetime
{
    private const string CanaryPods = "GET pods?app.kubernetes.io/instance=shop,deploymind.dev/release=r2";
    private KubernetesTestTarget _target = null!;

    private FakeKubernetesApiServer Server => _target.Server;

    public async Task InitializeAsync()
    {
        _target = await KubernetesTestTarget.StartAsync();
        var first = await _target.DeployAsync(_target.Request("r1", "shop:1"), StrategyKind.Rolling);
        Assert.True(first.Status == DeployStatus.Succeeded, first.Reason);
        Server.ClearCalls();
    }

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task Canary_HealthyCanary_ScalesPerStepThenPromotesTheStableAndDeletesTheCanary()
    {
        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Canary);

        Assert.True(outcome.Status == DeployStatus.Succeeded, outcome.Reason);
        Assert.Equal(100, outcome.CanaryPercentReached);
        Assert.Equal([CanaryVerdict.Healthy, CanaryVerdict.Healthy], outcome.CanarySteps.Select(s => s.Verdict));
        Assert.Equal(
            [
                "GET deployments/shop",
                "PATCH deployments/shop-canary (apply, deploymind)",
                "PATCH deployments/shop-canary/scale (merge, deploymind)",
                "GET deployments/shop-canary",
                CanaryPods,
                "PATCH deployments/shop-canary/scale (merge, deploymind)",
                "GET deployments/shop-canary",
                CanaryPods,
                "PATCH deployments/shop (apply, deploymind)",
                "PATCH services/shop (apply, deploymind)",
                "PATCH horizontalpodautoscalers/shop (apply, deploymind)",
                "PATCH poddisruptionbudgets/shop (apply, deploymind)",
                "GET deployments/shop",
                CanaryPods,
                "DELETE deployments/shop-canary",
            ],
            Server.CallSequence());

        // 25% beside 2 stable pods is 1 canary pod, 50% is 2 (the replica ratio); then the stable one took the release.
        Assert.Contains(_target.Steps, s => s.Contains("canary at 25%: 1 canary pod(s) beside 2 stable", StringComparison.Ordinal));
        Assert.Contains(_target.Steps, s => s.Contains("canary at 50%: 2 canary pod(s) beside 2 stable", StringComparison.Ordinal));
        Assert.Null(Server.Get("deployments", "shop-canary"));
        Assert.Equal(["shop:2", "shop:2"], Server.PodImages("shop"));
        Assert.Equal("""{"app.kubernetes.io/instance":"shop","app.kubernetes.io/name":"shop"}""", Server.Get("services", "shop")!["spec"]!["selector"]!.ToJsonString());
    }

    [Fact]
    public async Task Canary_PodsRestart_CanaryDeletedAtOnceAndTheStableUntouched()
    {
        Server.RestartingImages.Add("shop:2");

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Canary);

        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        Assert.Contains("Canary unhealthy at 25%", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("restarted", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(
            [
                "GET deployments/shop",
                "PATCH deployments/shop-canary (apply, deploymind)",
                "PATCH deployments/shop-canary/scale (merge, deploymind)",
                "GET deployments/shop-canary",
                CanaryPods,
                "GET events?involvedObject.name=shop-canary",
                "DELETE deployments/shop-canary",
            ],
            Server.CallSequence().Where(c => !c.StartsWith("GET events?involvedObject.name=shop-canary-", StringComparison.Ordinal) && !c.Contains("/log", StringComparison.Ordinal)));
        Assert.Null(Server.Get("deployments", "shop-canary"));
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
        Assert.DoesNotContain(Server.Calls, c => c.StartsWith("PATCH deployments/shop ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Canary_CrashLoops_FailsBeforeTakingASteppedShareAndIsDeleted()
    {
        Server.CrashingImages.Add("shop:2");

        var outcome = await _target.DeployAsync(_target.Request("r2", "shop:2"), StrategyKind.Canary);

        Assert.True(outcome.Status == DeployStatus.Failed, outcome.Reason);
        Assert.Contains("CrashLoopBackOff", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("panic: cannot connect to the database", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal("DELETE deployments/shop-canary", Server.CallSequence()[^1]);
        Assert.Equal(["shop:1", "shop:1"], Server.PodImages("shop"));
    }

    [Fact]
    public async Task Canary_ErrorRateFromAccessLogs_AboveTheLimit_RolledBackWithTheFigures()
    {
        Server.Logs["shop:2"] = [.. Enumerable.Range(0, 20).Select(i => $"GET /orders/{i} \" {(i % 2 == 0 ? 500 : 200)} \" 12ms")];
        Server.Logs["shop:1"] = [.. Enumerable.Range(0, 20).Select(i => $"GET /orders/{i} \" 200 \" 9ms")];

        var outcome = await _target.DeployAsync(
            _target.Request("r2", "shop:2", o => o.Metrics.LogPattern = "\" (?<status>\\d{3}) \""), StrategyKind.Canary);

        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        var step = Assert.Single(outcome.CanarySteps);
        Assert.Equal(CanaryVerdict.Unhealthy, step.Verdict);
        Assert.Equal((20, 10), (step.Canary.Requests, step.Canary.ServerErrors));
        Assert.Equal((40, 0), (step.Stable.Requests, step.Stable.ServerErrors));
        Assert.Contains("error rate 50.0% is above the limit 5.0%", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(Server.Calls, c => c.StartsWith("GET pods/shop-canary-", StringComparison.Ordinal) && c.EndsWith("/log", StringComparison.Ordinal));
        Assert.Null(Server.Get("deployments", "shop-canary"));
    }

    [Fact]
    public async Task Canary_TooFewRequestsInALongerStep_ReportsProgressAndRollsBackSayingWhatTheStepNeeds()
    {
        Server.Logs["shop:2"] = [.. Enumerable.Range(0, 3).Select(i => $"GET /orders/{i} \" 200 \" 12ms")];
        Server.Logs["shop:1"] = [.. Enumerable.Range(0, 3).Select(i => $"GET /orders/{i} \" 200 \" 9ms")];
        var policy = new CanaryPolicy([50, 100], TimeSpan.FromSeconds(6), 0.05, 50, InsufficientDataAction.Fail);

        var outcome = await _target.DeployAsync(
            _target.Request("r2", "shop:2", o => o.Metrics.LogPattern = "\" (?<status>\\d{3}) \"", policy), StrategyKind.Canary);

        // Two canary pods with three requests each; 50 canary requests in 6 s at 50%: 50 / 6 / 0.5 ≈ 16.7 requests/s; a progress report 5 s into the step.
        Assert.True(outcome.Status == DeployStatus.RolledBack, outcome.Reason);
        Assert.True(outcome.Reason!.Contains("the canary saw 6 of the 50 requests canary.minRequests asks for in 6s at 50%", StringComparison.Ordinal), outcome.Reason);
        Assert.Contains("about 17 requests/s must reach the app", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("canary.onInsufficientData is fail", outcome.Reason, StringComparison.Ordinal);
        var progress = Assert.Single(_target.Steps, s => s.StartsWith("canary: progress: ", StringComparison.Ordinal));
        Assert.StartsWith("canary: progress: canary 50%: 6/50 requests, 0 errors", progress, StringComparison.Ordinal);
        Assert.Null(Server.Get("deployments", "shop-canary"));
    }
}
