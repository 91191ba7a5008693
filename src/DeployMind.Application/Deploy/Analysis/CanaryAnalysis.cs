using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>How a canary step went.</summary>
public enum CanaryVerdict
{
    Healthy,
    Unhealthy,
    InsufficientData,
}

/// <summary>The figures a canary step was judged on, and the verdict.</summary>
/// <param name="Verdict">The outcome.</param>
/// <param name="Canary">The canary's requests, 5xx and p95 in the window.</param>
/// <param name="Stable">The stable release's figures in the same window (for comparison in reports).</param>
/// <param name="Reason">One sentence with the figures that decided.</param>
public sealed record CanaryStepResult(CanaryVerdict Verdict, UpstreamStats Canary, UpstreamStats Stable, string Reason);

/// <summary>Judges a canary step from the router's access-log figures (pure: no I/O, no clock).</summary>
internal static class CanaryAnalysis
{
    public static CanaryStepResult Judge(TrafficWindow window, string canaryAddress, string? stableAddress, CanaryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(policy);
        var canary = window.For(canaryAddress);
        var stable = stableAddress is null ? UpstreamStats.Empty : window.For(stableAddress);
        var figures = $"canary {canary.ServerErrors}/{canary.Requests} 5xx ({Pct(canary.ErrorRate)}), p95 {canary.P95Milliseconds:0} ms; "
            + $"stable {stable.ServerErrors}/{stable.Requests} 5xx ({Pct(stable.ErrorRate)}), p95 {stable.P95Milliseconds:0} ms";

        // An error rate can breach the limit before the sample is "big enough": 5 errors out of 6 requests is
        // already a failure whatever comes next, so errors are judged first.
        if (canary.Requests > 0 && canary.ErrorRate > policy.MaxErrorRate && canary.ServerErrors >= ErrorsThatCannotBeNoise(policy))
        {
            return new(CanaryVerdict.Unhealthy, canary, stable, $"error rate {Pct(canary.ErrorRate)} is above the limit {Pct(policy.MaxErrorRate)}: {figures}");
        }

        if (canary.Requests < policy.MinRequests)
        {
            return new(CanaryVerdict.InsufficientData, canary, stable, $"only {canary.Requests} canary requests (at least {policy.MinRequests} needed to judge): {figures}");
        }

        if (canary.ErrorRate > policy.MaxErrorRate)
        {
            return new(CanaryVerdict.Unhealthy, canary, stable, $"error rate {Pct(canary.ErrorRate)} is above the limit {Pct(policy.MaxErrorRate)}: {figures}");
        }

        if (policy.MaxP95Milliseconds is { } maxP95 && canary.P95Milliseconds > maxP95)
        {
            return new(CanaryVerdict.Unhealthy, canary, stable, $"p95 latency {canary.P95Milliseconds:0} ms is above the limit {maxP95:0} ms: {figures}");
        }

        return new(CanaryVerdict.Healthy, canary, stable, $"within limits: {figures}");
    }

    private static string Pct(double rate) => (rate * 100).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + "%";

    // The smallest number of errors that breaches the limit even at the minimum sample size.
    private static int ErrorsThatCannotBeNoise(CanaryPolicy policy) =>
        Math.Max(1, (int)Math.Floor(policy.MaxErrorRate * policy.MinRequests) + 1);
}
