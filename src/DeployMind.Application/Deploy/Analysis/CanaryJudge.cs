using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>What a canary does after a step was judged.</summary>
internal enum CanaryStepAction
{
    /// <summary>On to the next step (healthy, or too little data with <c>onInsufficientData: pass</c>).</summary>
    Advance,

    /// <summary>The step runs again (too little data with <c>extend</c>, extensions left).</summary>
    Extend,

    /// <summary>Traffic goes back to the stable release and the canary is removed.</summary>
    RollBack,
}

/// <summary>
/// The canary's decisions, once for every target: what follows a judged step (<see cref="Next"/>), a step run until it is
/// decided (<see cref="RunStepAsync"/>), and the sentence a rolled-back canary ends with. The figures themselves are
/// judged by <see cref="CanaryAnalysis"/>.
/// </summary>
internal static class CanaryJudge
{
    /// <summary>What follows <paramref name="result"/> when the step was already extended <paramref name="extensionsUsed"/> times.</summary>
    public static CanaryStepAction Next(CanaryStepResult result, CanaryPolicy policy, int extensionsUsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        return result.Verdict switch
        {
            CanaryVerdict.Healthy => CanaryStepAction.Advance,
            CanaryVerdict.InsufficientData when policy.OnInsufficientData == InsufficientDataAction.Pass => CanaryStepAction.Advance,
            CanaryVerdict.InsufficientData when policy.OnInsufficientData == InsufficientDataAction.Extend && extensionsUsed < policy.MaxExtensions => CanaryStepAction.Extend,
            _ => CanaryStepAction.RollBack,
        };
    }

    /// <summary>
    /// Runs one step with <paramref name="watch"/> (which judges it) until it is decided, extending it as the policy says;
    /// every judged run is added to <paramref name="steps"/>. Null when the canary may advance, else the result it failed on.
    /// </summary>
    public static async Task<CanaryStepResult?> RunStepAsync(
        CanaryPolicy policy, int percent, List<CanaryStepResult> steps, IDeployObserver observer, Func<CancellationToken, Task<CanaryStepResult>> watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(watch);
        var extensions = 0;
        while (true)
        {
            var result = await watch(cancellationToken);
            steps.Add(result);
            switch (Next(result, policy, extensions))
            {
                case CanaryStepAction.Advance:
                    return null;
                case CanaryStepAction.Extend:
                    extensions++;
                    observer.Step("canary", $"not enough data at {percent}% ({result.Reason}); extending the step");
                    continue;
                default:
                    return result;
            }
        }
    }

    /// <summary>"Canary unhealthy at 10%: …." — the first sentence of a rolled-back canary's reason.</summary>
    public static string RolledBack(CanaryStepResult result, int percent)
    {
        ArgumentNullException.ThrowIfNull(result);
        var why = result.Verdict == CanaryVerdict.InsufficientData ? "insufficient data" : "unhealthy";
        return $"Canary {why} at {percent}%: {result.Reason}.";
    }
}
