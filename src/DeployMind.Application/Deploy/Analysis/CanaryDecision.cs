namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// The comparisons a canary step was judged on, beside the counts in <see cref="CanaryStepResult"/>: each is null when it
/// could not be made (no stable traffic, no response times, no known split).
/// </summary>
/// <param name="Rule">What decided, by its setting: "canary.maxErrorRate", "canary.maxErrorRateIncrease", "split", "canary.minRequests", …</param>
/// <param name="Errors">The 5xx comparison with the stable release.</param>
/// <param name="Latency">The response-time comparison with the stable release.</param>
/// <param name="Split">The observed split against the configured weight.</param>
/// <param name="CanaryRequestsNeeded">While undecided: how many more canary requests the comparisons need at the rates seen so far (null: decided, or not at these rates).</param>
/// <param name="Eta">While undecided: when that many arrive at the canary's rate so far.</param>
public sealed record CanaryDecision(
    string Rule,
    ErrorRateComparison? Errors,
    LatencyComparison? Latency,
    SampleRatioCheck? Split,
    int? CanaryRequestsNeeded,
    TimeSpan? Eta)
{
    /// <summary>Why the split was not checked where the router does not split by request (Kubernetes); null where it was, or where there was nothing to check.</summary>
    public string? SplitNotChecked { get; init; }
}
