using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Puts a step's two judgements together: users' requests and the probe requests (<c>canary.probeTraffic</c>), each judged
/// on its own by <see cref="CanaryAnalysis"/> so that neither's figures hide in the other's. Probes are evidence against a
/// canary, never alone for it unless <c>canary.probeTraffic.passOnProbes</c> says so:
/// <list type="bullet">
/// <item>users' requests unhealthy or mismatched: that verdict;</item>
/// <item>probe requests unhealthy or mismatched: that verdict, said to rest on probes;</item>
/// <item>users' requests healthy: healthy;</item>
/// <item>users' requests undecided and probes healthy: healthy with <c>passOnProbes</c>, else still undecided, saying that
/// the probes alone would pass and why they do not;</item>
/// <item>otherwise undecided.</item>
/// </list>
/// Every reason carries both sets of figures, the users' first and the probes' marked as such.
/// </summary>
internal static class ProbeEvidence
{
    public static CanaryStepResult Combine(CanaryStepResult users, CanaryStepResult probes, CanaryProbeTraffic settings)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(settings);
        var probeFigures = $"probe requests (counted apart from users'): {probes.Verdict}: {probes.Reason}";
        if (users.Verdict is CanaryVerdict.Unhealthy or CanaryVerdict.SampleRatioMismatch)
        {
            return users with { Reason = $"{users.Reason}; {probeFigures}", Probes = probes };
        }

        if (probes.Verdict is CanaryVerdict.Unhealthy or CanaryVerdict.SampleRatioMismatch)
        {
            return users with
            {
                Verdict = probes.Verdict,
                Reason = $"on the probe requests (canary.probeTraffic {settings.Path}): {probes.Reason}; users' requests: {users.Reason}",
                Decision = probes.Decision,
                Probes = probes,
                DecidedOnProbes = true,
            };
        }

        if (users.Verdict == CanaryVerdict.Healthy)
        {
            return users with { Reason = $"{users.Reason}; {probeFigures}", Probes = probes };
        }

        if (probes.Verdict == CanaryVerdict.Healthy && settings.PassOnProbes)
        {
            return users with
            {
                Verdict = CanaryVerdict.Healthy,
                Reason = $"on the probe requests alone, as canary.probeTraffic.passOnProbes allows: {probes.Reason}; users' requests: {users.Reason}",
                Decision = probes.Decision,
                Probes = probes,
                DecidedOnProbes = true,
            };
        }

        return users with { Reason = $"{users.Reason}; {Note(probes)}; {probeFigures}", Probes = probes };
    }

    /// <summary>What the probes of an undecided step say: that they alone would pass (and why they do not), or that they cannot decide either.</summary>
    public static string Note(CanaryStepResult probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        return probes.Verdict == CanaryVerdict.Healthy
            ? "the probe requests alone would pass, but probes never pass a step on their own (set canary.probeTraffic.passOnProbes: true to let them)"
            : "the probe requests cannot decide either";
    }

    /// <summary>"; probe requests, counted apart: 110 to the canary, 0 5xx, p95 13 ms: the probe requests alone would pass, but …", or empty without probes.</summary>
    public static string Summary(CanaryStepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Probes is { } probes
            ? System.FormattableString.Invariant($"; probe requests, counted apart: {probes.Canary.Requests} to the canary, {probes.Canary.ServerErrors} 5xx, p95 {probes.Canary.P95Milliseconds:0} ms: {Note(probes)}")
            : string.Empty;
    }
}
