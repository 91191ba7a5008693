using System.Globalization;
using DeployMind.Domain;
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
    /// A step that saw too little traffic says what it saw, what it needed and what to change, whatever follows.
    /// </summary>
    public static async Task<CanaryStepResult?> RunStepAsync(
        CanaryPolicy policy, int percent, List<CanaryStepResult> steps, IDeployObserver observer, Func<CancellationToken, Task<CanaryStepResult>> watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(observer);
        ArgumentNullException.ThrowIfNull(watch);
        var extensions = 0;
        while (true)
        {
            var result = (await watch(cancellationToken)) with { Percent = percent };
            steps.Add(result);
            switch (Next(result, policy, extensions))
            {
                case CanaryStepAction.Advance:
                    if (result.Verdict == CanaryVerdict.InsufficientData)
                    {
                        observer.Step("canary", $"not enough data at {percent}%: {TooLittleTraffic(result, policy, percent)}; canary.onInsufficientData is pass, so the canary goes on on health checks alone");
                    }

                    return null;
                case CanaryStepAction.Extend:
                    extensions++;
                    observer.Step("canary", string.Create(
                        CultureInfo.InvariantCulture,
                        $"not enough data at {percent}%: {TooLittleTraffic(result, policy, percent)}; canary.onInsufficientData is extend: the step runs again ({extensions} of canary.maxExtensions {policy.MaxExtensions})"));
                    continue;
                default:
                    return result;
            }
        }
    }

    /// <summary>
    /// "Canary unhealthy at 10%: …." — the first sentence of a rolled-back canary's reason. For too little traffic it is the
    /// advice of <see cref="TooLittleTraffic"/> with <c>canary.onInsufficientData</c>'s value and its choices.
    /// </summary>
    public static string RolledBack(CanaryStepResult result, int percent, CanaryPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        if (result.Verdict == CanaryVerdict.SampleRatioMismatch)
        {
            return $"Canary sample ratio mismatch at {percent}%: {result.Reason}.";
        }

        if (result.Verdict != CanaryVerdict.InsufficientData)
        {
            return $"Canary unhealthy at {percent}%: {result.Reason}.";
        }

        var setting = policy.OnInsufficientData == InsufficientDataAction.Extend
            ? string.Create(CultureInfo.InvariantCulture, $"canary.onInsufficientData is extend and the step ran {policy.MaxExtensions + 1} times (canary.maxExtensions: {policy.MaxExtensions})")
            : "canary.onInsufficientData is fail";
        return $"Canary insufficient data: {TooLittleTraffic(result, policy, percent)} ({setting}; the choices are extend, pass and fail).";
    }

    /// <summary>
    /// What a step with too few canary requests saw and what it needs: "the canary saw 3 of the 50 requests canary.minRequests
    /// asks for in 30s at 10% (the app got 33 in all): about 17 requests/s must reach the app for a step of 30s, or lower
    /// canary.minRequests, lengthen canary.stepDuration, or set canary.onInsufficientData: pass". The rate the app needs is
    /// the canary's requests spread over the step and scaled up by its share: minRequests / step seconds / (percent / 100).
    /// </summary>
    public static string TooLittleTraffic(CanaryStepResult result, CanaryPolicy policy, int percent)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(policy);
        var step = Duration.Format(policy.StepDuration);
        if (result.Decision is { Rule: "comparison" or "stable traffic" } decision)
        {
            // Enough requests for the minimum, but the comparison with the stable release still holds a tolerance.
            var wait = CanaryAnalysis.Waiting(decision.CanaryRequestsNeeded, decision.Eta).TrimStart(';', ' ');
            var next = policy.OnInsufficientData == InsufficientDataAction.Pass
                ? "lengthen canary.stepDuration, or raise canary.maxErrorRateIncrease / canary.maxLatencyIncrease"
                : "lengthen canary.stepDuration or canary.maxExtensions, raise canary.maxErrorRateIncrease / canary.maxLatencyIncrease, or set canary.onInsufficientData: pass";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Reason}; the canary saw {result.Canary.Requests} requests at {percent}% (the app got {result.Canary.Requests + result.Stable.Requests} in all{ProbeEvidence.Summary(result)}){(wait.Length > 0 ? "; " + wait : string.Empty)}: send more traffic, {next}");
        }

        var share = Math.Clamp(percent, 1, 100) / 100.0;
        var needed = policy.MinRequests / policy.StepDuration.TotalSeconds / share;
        var total = result.Canary.Requests + result.Stable.Requests;
        var alternatives = policy.OnInsufficientData == InsufficientDataAction.Pass
            ? "or lower canary.minRequests or lengthen canary.stepDuration"
            : "or lower canary.minRequests, lengthen canary.stepDuration, or set canary.onInsufficientData: pass";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"the canary saw {result.Canary.Requests} of the {policy.MinRequests} requests canary.minRequests asks for in {step} at {percent}% (the app got {total} in all{ProbeEvidence.Summary(result)}): about {Rate(needed)} must reach the app for a step of {step}, {alternatives}");
    }

    /// <summary>"17 requests/s", "3.4 requests/s", "40 requests/min" (below one a second); rounded up, so "about" never promises too little.</summary>
    internal static string Rate(double perSecond) =>
        perSecond >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{Up(perSecond):0} requests/s")
        : perSecond >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{Up(perSecond * 10) / 10:0.#} requests/s")
        : string.Create(CultureInfo.InvariantCulture, $"{Up(perSecond * 60):0} requests/min");

    // Up, but a figure that is whole up to rounding error (0.666… × 60) stays whole.
    private static double Up(double value) => Math.Ceiling(value - 1e-9);
}
