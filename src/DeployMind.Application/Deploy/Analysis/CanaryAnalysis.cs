using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>How a canary step went.</summary>
public enum CanaryVerdict
{
    /// <summary>Within the absolute limits, and no worse than the stable release by more than the tolerances, with the configured confidence.</summary>
    Healthy,

    /// <summary>Beyond an absolute limit, worse than the stable release by more than a tolerance, or a failed health check.</summary>
    Unhealthy,

    /// <summary>Not decided: too few requests, or the comparisons still hold the tolerance (the reason says how many more requests they need).</summary>
    InsufficientData,

    /// <summary>The observed split does not match the configured weight: the figures cannot be trusted, which is not a pass.</summary>
    SampleRatioMismatch,
}

/// <summary>The figures a canary step was judged on, and the verdict.</summary>
/// <param name="Verdict">The outcome.</param>
/// <param name="Canary">The canary's requests, 5xx and p95 in the window.</param>
/// <param name="Stable">The stable release's figures in the same window.</param>
/// <param name="Reason">The verdict's why, then every figure it was decided on.</param>
public sealed record CanaryStepResult(CanaryVerdict Verdict, UpstreamStats Canary, UpstreamStats Stable, string Reason)
{
    /// <summary>The comparisons behind the verdict (null where the step was decided without them: a failed health check, a target without traffic figures).</summary>
    public CanaryDecision? Decision { get; init; }

    /// <summary>
    /// The probe requests' own judgement (<c>canary.probeTraffic</c>), counted apart from users' requests, whose figures
    /// are <see cref="Canary"/> and <see cref="Stable"/>; null without probe traffic.
    /// </summary>
    public CanaryStepResult? Probes { get; init; }

    /// <summary>Whether the verdict rests on the probe requests (they failed the step, or passed it with <c>passOnProbes</c>), not on users' requests.</summary>
    public bool DecidedOnProbes { get; init; }

    /// <summary>The step's share of traffic for the canary, in percent (set once the step is run; null in a bare judgement).</summary>
    public int? Percent { get; init; }
}

/// <summary>
/// Judges a canary step from the router's figures for one window (pure: no I/O, no clock), the same for Docker hosts and
/// Kubernetes. In order:
/// <list type="number">
/// <item>the absolute limits are hard guards: a 5xx rate above <c>canary.maxErrorRate</c> (by the always-valid test of
/// <see cref="ErrorRateGuard"/>, so noise does not trip it; off while the stable itself fails more than the limit), or a
/// p95 above <c>canary.maxP95</c>, is unhealthy;</item>
/// <item>where the split is known (weights on nginx), the observed split must match it (<see cref="SampleRatioCheck"/>),
/// else the verdict is <see cref="CanaryVerdict.SampleRatioMismatch"/>;</item>
/// <item>fewer canary requests than <c>canary.minRequests</c> is insufficient data;</item>
/// <item>canary against stable in the same window: the 5xx rates by <see cref="ErrorRateComparison"/> with the tolerance
/// <c>canary.maxErrorRateIncrease</c> and the response times by <see cref="LatencyComparison"/> with
/// <c>canary.maxLatencyIncrease</c>, both at <c>canary.confidence</c>. Worse than tolerated on either is unhealthy;
/// within tolerance on both (on errors alone where there are no response times) is healthy; anything else is
/// insufficient data, with the canary requests still needed and when they will have arrived.</item>
/// </list>
/// Both comparisons are always-valid: the window may be judged at every health interval as it grows, and extended
/// steps keep their window, without the repeated looks inflating false verdicts.
/// </summary>
internal static class CanaryAnalysis
{
    /// <param name="window">The figures of the window so far.</param>
    /// <param name="canaryAddress">The canary's key in the window.</param>
    /// <param name="stableAddress">The stable's key, or null when there is no stable release.</param>
    /// <param name="policy">Limits, tolerances, confidence.</param>
    /// <param name="expectedCanaryShare">The share of requests the router was told to give the canary (0-1), when it splits by request; null to skip the split check.</param>
    /// <param name="splitNotChecked">Why there is no split check (a router that splits by connection), said in the reason and the decision.</param>
    public static CanaryStepResult Judge(TrafficWindow window, string canaryAddress, string? stableAddress, CanaryPolicy policy, double? expectedCanaryShare = null, string? splitNotChecked = null)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(policy);
        var canary = window.For(canaryAddress);
        var stable = stableAddress is null ? UpstreamStats.Empty : window.For(stableAddress);
        var alpha = 1 - policy.Confidence;
        var figures = $"canary {canary.ServerErrors}/{canary.Requests} 5xx ({Pct(canary.ErrorRate)}), p95 {canary.P95Milliseconds:0} ms; "
            + $"stable {stable.ServerErrors}/{stable.Requests} 5xx ({Pct(stable.ErrorRate)}), p95 {stable.P95Milliseconds:0} ms";

        var split = stableAddress is not null && expectedCanaryShare is { } share and > 0 and < 1 && canary.Requests + stable.Requests > 0
            ? SampleRatioCheck.Check(canary.Requests, stable.Requests, share)
            : null;
        var errors = canary.Requests > 0 && stable.Requests > 0
            ? ErrorRateComparison.Compare(canary.Requests, canary.ServerErrors, stable.Requests, stable.ServerErrors, policy.MaxErrorRateIncrease, alpha)
            : null;
        var latency = canary.Latencies is { Count: > 0 } c && stable.Latencies is { Count: > 0 } s
            ? LatencyComparison.Compare(c, s, policy.MaxLatencyIncrease, alpha)
            : null;
        var (needed, eta) = Needed(canary, window, policy, errors, latency);
        var guardOff = stable.Requests >= policy.MinRequests && stable.ErrorRate > policy.MaxErrorRate
            ? $"the stable itself fails more than canary.maxErrorRate {Pct(policy.MaxErrorRate)}, so that limit is left to the comparison"
            : null;
        var notChecked = split is null && stableAddress is not null && splitNotChecked is not null ? splitNotChecked : null;
        var details = string.Join("; ", new[] { figures, errors?.Describe(), latency?.Describe(), split?.Describe(), notChecked is null ? null : "split not checked: " + notChecked, guardOff }.Where(t => t is not null));
        CanaryStepResult Result(CanaryVerdict verdict, string rule, string why, bool waiting = false) =>
            new(verdict, canary, stable, $"{why}: {details}")
            {
                Decision = new CanaryDecision(rule, errors, latency, split, waiting ? needed : null, waiting ? eta : null) { SplitNotChecked = notChecked },
            };

        // The hard guard on errors comes first: 5 errors out of 6 requests is already a failure whatever comes next. It is
        // a test, so noise around the limit does not trip it; and it is off while the stable release itself fails more
        // than the limit in the same window (an app with a flaky dependency): then the comparison decides.
        var stableAboveLimit = stable.Requests >= policy.MinRequests && stable.ErrorRate > policy.MaxErrorRate;
        if (!stableAboveLimit && canary.ErrorRate > policy.MaxErrorRate && ErrorRateGuard.Breached(canary.Requests, canary.ServerErrors, policy.MaxErrorRate, alpha))
        {
            return Result(
                CanaryVerdict.Unhealthy,
                "canary.maxErrorRate",
                $"error rate {Pct(canary.ErrorRate)} is above the limit {Pct(policy.MaxErrorRate)} (canary.maxErrorRate; {ErrorRateGuard.Describe(canary.Requests, canary.ServerErrors, policy.MaxErrorRate, alpha)})");
        }

        if (split is { Mismatch: true })
        {
            return Result(
                CanaryVerdict.SampleRatioMismatch,
                "split",
                string.Create(CultureInfo.InvariantCulture, $"sample ratio mismatch: the canary got {split.ObservedShare * 100:0.0}% of the requests, not the {split.ExpectedShare * 100:0.#}% it was given (χ² {split.ChiSquare:0.#} ≥ {split.Threshold:0.#}); sticky clients or an upstream nginx skips make the comparison untrustworthy"));
        }

        if (canary.Requests < policy.MinRequests)
        {
            return Result(CanaryVerdict.InsufficientData, "canary.minRequests", $"only {canary.Requests} canary requests (at least {policy.MinRequests} needed to judge){Waiting(needed, eta)}", waiting: true);
        }

        if (policy.MaxP95Milliseconds is { } maxP95 && canary.P95Milliseconds > maxP95)
        {
            return Result(CanaryVerdict.Unhealthy, "canary.maxP95", $"p95 latency {canary.P95Milliseconds:0} ms is above the limit {maxP95:0} ms (canary.maxP95)");
        }

        if (stableAddress is null)
        {
            // Nothing to compare with (blue-green's own window): the limits alone, on the figures as they are.
            return canary.ErrorRate > policy.MaxErrorRate
                ? Result(CanaryVerdict.Unhealthy, "canary.maxErrorRate", $"error rate {Pct(canary.ErrorRate)} is above the limit {Pct(policy.MaxErrorRate)} (canary.maxErrorRate)")
                : Result(CanaryVerdict.Healthy, "absolute limits", "within the absolute limits; there is no stable release to compare with");
        }

        if (errors is null)
        {
            return Result(CanaryVerdict.InsufficientData, "stable traffic", "the stable release served no requests in the window, so there is nothing to compare the canary with");
        }

        if (errors.Outcome == SequentialTestOutcome.Worse)
        {
            return Result(
                CanaryVerdict.Unhealthy,
                "canary.maxErrorRateIncrease",
                string.Create(CultureInfo.InvariantCulture, $"5xx rate {Pct(canary.ErrorRate)} is worse than the stable's {Pct(stable.ErrorRate)} by more than canary.maxErrorRateIncrease ({ErrorRateComparison.Points(policy.MaxErrorRateIncrease)} pts) at {policy.Confidence:0.###} confidence"));
        }

        if (latency is { Outcome: SequentialTestOutcome.Worse })
        {
            return Result(
                CanaryVerdict.Unhealthy,
                "canary.maxLatencyIncrease",
                string.Create(CultureInfo.InvariantCulture, $"response times are slower than the stable's by more than canary.maxLatencyIncrease ({policy.MaxLatencyIncrease * 100:0.#}%) at {policy.Confidence:0.###} confidence (p95 {canary.P95Milliseconds:0} vs {stable.P95Milliseconds:0} ms)"));
        }

        if (errors.Outcome == SequentialTestOutcome.WithinTolerance && latency is null or { Outcome: SequentialTestOutcome.WithinTolerance })
        {
            var why = latency is null ? "no worse than the stable release within canary.maxErrorRateIncrease (no response times to compare)" : "no worse than the stable release within canary.maxErrorRateIncrease and canary.maxLatencyIncrease";
            return Result(CanaryVerdict.Healthy, "comparison", string.Create(CultureInfo.InvariantCulture, $"{why} at {policy.Confidence:0.###} confidence"));
        }

        var open = errors.Outcome == SequentialTestOutcome.Undecided ? "5xx" : "response times";
        if (errors.Outcome == SequentialTestOutcome.Undecided && latency is { Outcome: SequentialTestOutcome.Undecided })
        {
            open = "5xx and response times";
        }

        return Result(CanaryVerdict.InsufficientData, "comparison", $"undecided on {open}{Waiting(needed, eta)}", waiting: true);
    }

    /// <summary>
    /// The canary requests still needed: the minimum sample, and for each undecided comparison the sample at which it
    /// would decide if the rates seen so far held (its <c>ScaleToDecide</c> times the present one); with the canary's
    /// rate so far, when. Null when a comparison cannot decide at the present rates (its estimate sits on its tolerance).
    /// </summary>
    internal static (int? Needed, TimeSpan? Eta) Needed(UpstreamStats canary, TrafficWindow window, CanaryPolicy policy, ErrorRateComparison? errors, LatencyComparison? latency)
    {
        ArgumentNullException.ThrowIfNull(canary);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(policy);
        double target = policy.MinRequests;
        foreach (var scale in new[] { errors is { Outcome: SequentialTestOutcome.Undecided } ? (errors.ScaleToDecide ?? double.NaN) : 1, latency is { Outcome: SequentialTestOutcome.Undecided } ? (latency.ScaleToDecide ?? double.NaN) : 1 })
        {
            if (double.IsNaN(scale))
            {
                return (null, null);
            }

            target = Math.Max(target, Math.Ceiling(canary.Requests * scale));
        }

        var needed = (int)Math.Min(int.MaxValue, Math.Max(0, target - canary.Requests));
        var seconds = (window.To - window.From).TotalSeconds;
        TimeSpan? eta = canary.Requests > 0 && seconds > 0 ? TimeSpan.FromSeconds(Math.Min(needed / (canary.Requests / seconds), TimeSpan.FromDays(365).TotalSeconds)) : null;
        return (needed, eta);
    }

    /// <summary>", need 412 more canary requests, about 3 min" — or that the rates seen so far cannot decide.</summary>
    internal static string Waiting(int? needed, TimeSpan? eta) =>
        needed is not { } n ? "; at the rates seen so far the comparison cannot decide (the canary sits on the tolerance)"
        : n == 0 ? string.Empty
        : eta is { } e ? string.Create(CultureInfo.InvariantCulture, $"; need {n} more canary requests, about {Duration.Format(Round(e))}")
        : string.Create(CultureInfo.InvariantCulture, $"; need {n} more canary requests");

    private static TimeSpan Round(TimeSpan eta) => eta < TimeSpan.FromMinutes(2) ? TimeSpan.FromSeconds(Math.Ceiling(eta.TotalSeconds)) : TimeSpan.FromMinutes(Math.Ceiling(eta.TotalMinutes));

    private static string Pct(double rate) => (rate * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

}
