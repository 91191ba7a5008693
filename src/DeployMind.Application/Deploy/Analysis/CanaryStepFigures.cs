using System.Globalization;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>A judged step as the deployment keeps it (<see cref="CanaryFigures"/>): counts, p95s, each comparison described with its statistic and threshold.</summary>
internal static class CanaryStepFigures
{
    public static CanaryFigures Of(CanaryStepResult step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new CanaryFigures(
            step.Percent ?? 0,
            step.Verdict.ToString(),
            step.Decision?.Rule ?? (step.Verdict == CanaryVerdict.Unhealthy ? "health" : "health checks"),
            step.Canary.Requests,
            step.Canary.ServerErrors,
            step.Canary.P95Milliseconds,
            step.Stable.Requests,
            step.Stable.ServerErrors,
            step.Stable.P95Milliseconds)
        {
            Errors = step.Decision?.Errors?.Describe(),
            Latency = step.Decision?.Latency?.Describe(),
            Split = step.Decision?.Split?.Describe(),
            SplitNotChecked = step.Decision?.SplitNotChecked,
            DecidedOnProbes = step.DecidedOnProbes,
            Probes = step.Probes is { } p
                ? string.Create(CultureInfo.InvariantCulture, $"{p.Verdict}: canary {p.Canary.Requests} requests, {p.Canary.ServerErrors} 5xx, p95 {p.Canary.P95Milliseconds:0} ms; stable {p.Stable.Requests} requests, {p.Stable.ServerErrors} 5xx, p95 {p.Stable.P95Milliseconds:0} ms")
                : null,
        };
    }
}
