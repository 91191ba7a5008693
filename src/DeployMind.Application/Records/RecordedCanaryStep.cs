using DeployMind.Application.Deploy.Analysis;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>
/// One judged canary step as recorded with its deployment (an extended step is recorded once per judgement): the figures
/// of both upstreams in the step's window, the split, the limits it was judged against and the verdict. What the
/// dashboard's canary chart draws.
/// </summary>
/// <param name="Percent">The weight the canary had in the step (10 for 10%).</param>
/// <param name="Verdict">healthy, unhealthy, insufficient_data or sample_ratio_mismatch.</param>
/// <param name="Rule">What decided, by its setting ("canary.maxErrorRateIncrease"), or empty.</param>
/// <param name="Reason">The verdict's why with its figures (redacted as the timeline is: it holds no secret).</param>
/// <param name="Canary">The canary's figures.</param>
/// <param name="Stable">The stable release's figures.</param>
/// <param name="ObservedShare">The canary's share of the requests (0–1), null without requests.</param>
/// <param name="MaxErrorRate">canary.maxErrorRate (0–1): the hard limit.</param>
/// <param name="MaxErrorRateIncrease">canary.maxErrorRateIncrease (0–1): how much worse than the stable is tolerated.</param>
/// <param name="MaxP95Milliseconds">canary.maxP95, null when not set.</param>
/// <param name="MaxLatencyIncrease">canary.maxLatencyIncrease (0.2 is 20% slower).</param>
public sealed record RecordedCanaryStep(
    int Percent,
    string Verdict,
    string Rule,
    string Reason,
    RecordedUpstream Canary,
    RecordedUpstream Stable,
    double? ObservedShare,
    double MaxErrorRate,
    double MaxErrorRateIncrease,
    double? MaxP95Milliseconds,
    double MaxLatencyIncrease)
{
    /// <summary>The step as recorded, judged under <paramref name="policy"/>.</summary>
    public static RecordedCanaryStep Of(CanaryStepResult step, CanaryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(policy);
        var total = step.Canary.Requests + step.Stable.Requests;
        return new RecordedCanaryStep(
            step.Percent ?? 0,
            VerdictName(step.Verdict),
            step.Decision?.Rule ?? string.Empty,
            step.Reason,
            RecordedUpstream.Of(step.Canary),
            RecordedUpstream.Of(step.Stable),
            total == 0 ? null : (double)step.Canary.Requests / total,
            policy.MaxErrorRate,
            policy.MaxErrorRateIncrease,
            policy.MaxP95Milliseconds,
            policy.MaxLatencyIncrease);
    }

    /// <summary>How a verdict is written in records: snake_case, as the API writes enums.</summary>
    public static string VerdictName(CanaryVerdict verdict) => verdict switch
    {
        CanaryVerdict.Healthy => "healthy",
        CanaryVerdict.Unhealthy => "unhealthy",
        CanaryVerdict.InsufficientData => "insufficient_data",
        CanaryVerdict.SampleRatioMismatch => "sample_ratio_mismatch",
        _ => verdict.ToString().ToLowerInvariant(),
    };
}

/// <summary>One upstream's figures in a canary step's window.</summary>
/// <param name="Requests">Requests answered.</param>
/// <param name="ServerErrors">Of which 5xx.</param>
/// <param name="P95Milliseconds">The 95th percentile of response times (0 without requests).</param>
public sealed record RecordedUpstream(int Requests, int ServerErrors, double P95Milliseconds)
{
    /// <summary>The 5xx share (0–1); 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : (double)ServerErrors / Requests;

    public static RecordedUpstream Of(Deploy.Hosts.UpstreamStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return new RecordedUpstream(stats.Requests, stats.ServerErrors, stats.P95Milliseconds);
    }
}
