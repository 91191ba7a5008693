namespace DeployMind.Domain.Deploy;

/// <summary>
/// The figures of a canary's last judged step, kept with the deployment so that its report (the pull request's comment,
/// <c>status</c>, the API) shows what a promotion or a rollback rested on: users' requests, 5xx and p95 on both sides, the
/// comparisons with their statistic, threshold and outcome, and the verdict.
/// </summary>
/// <param name="Percent">The step's share of traffic for the canary.</param>
/// <param name="Verdict">Healthy, Unhealthy, InsufficientData or SampleRatioMismatch.</param>
/// <param name="Rule">What decided ("comparison", "canary.maxErrorRate", "split", …).</param>
/// <param name="CanaryRequests">Users' requests to the canary.</param>
/// <param name="CanaryErrors">Their 5xx.</param>
/// <param name="CanaryP95Milliseconds">Their p95.</param>
/// <param name="StableRequests">Users' requests to the stable release in the same window.</param>
/// <param name="StableErrors">Their 5xx.</param>
/// <param name="StableP95Milliseconds">Their p95.</param>
public sealed record CanaryFigures(
    int Percent,
    string Verdict,
    string Rule,
    int CanaryRequests,
    int CanaryErrors,
    double CanaryP95Milliseconds,
    int StableRequests,
    int StableErrors,
    double StableP95Milliseconds)
{
    /// <summary>The 5xx comparison: difference, interval, tolerance, Λ of its threshold, outcome; null when not made.</summary>
    public string? Errors { get; init; }

    /// <summary>The response-time comparison: both p95s, the share of slower pairs, z, Λ of its threshold, outcome; null when not made.</summary>
    public string? Latency { get; init; }

    /// <summary>The split check: observed and expected share, χ², p, threshold, outcome; null when not made.</summary>
    public string? Split { get; init; }

    /// <summary>Why the split was not checked (Kubernetes).</summary>
    public string? SplitNotChecked { get; init; }

    /// <summary>Whether the verdict rests on probe requests (<c>canary.probeTraffic</c>) rather than users'.</summary>
    public bool DecidedOnProbes { get; init; }

    /// <summary>The probe requests' own figures, apart from users' ("canary 110 requests, 0 5xx, p95 13 ms; stable …"); null without probes.</summary>
    public string? Probes { get; init; }
}
