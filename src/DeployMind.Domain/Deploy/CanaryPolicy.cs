namespace DeployMind.Domain.Deploy;

/// <summary>What to do when a canary step saw too few requests to judge.</summary>
public enum InsufficientDataAction
{
    /// <summary>Wait another step duration (up to <see cref="CanaryPolicy.MaxExtensions"/> times), then fail.</summary>
    Extend,

    /// <summary>Go on to the next step on health checks alone.</summary>
    Pass,

    /// <summary>Roll back.</summary>
    Fail,
}

/// <summary>How a canary is promoted: traffic percentages per step, how long each step lasts, and the limits it is judged by.</summary>
public sealed record CanaryPolicy
{
    public CanaryPolicy(
        IReadOnlyList<int> steps,
        TimeSpan stepDuration,
        double maxErrorRate,
        int minRequests,
        InsufficientDataAction onInsufficientData,
        int maxExtensions = 2,
        double? maxP95Milliseconds = null)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0 || steps.Any(s => s is < 1 or > 100) || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First) || steps[^1] != 100)
        {
            throw new InvalidInputException($"canary.steps [{string.Join(", ", steps)}] must rise from 1 to 100 and end at 100, e.g. [10, 50, 100].");
        }

        if (stepDuration <= TimeSpan.Zero)
        {
            throw new InvalidInputException("canary.stepDuration must be a positive duration, e.g. 5m.");
        }

        if (maxErrorRate is < 0 or > 1)
        {
            throw new InvalidInputException($"canary.maxErrorRate {maxErrorRate} must be between 0 and 1 (0.05 is 5%).");
        }

        if (minRequests < 1 || maxExtensions < 0 || maxP95Milliseconds is <= 0)
        {
            throw new InvalidInputException("canary.minRequests must be at least 1, canary.maxExtensions at least 0, canary.maxP95 positive.");
        }

        (Steps, StepDuration, MaxErrorRate, MinRequests, OnInsufficientData, MaxExtensions, MaxP95Milliseconds) =
            (steps, stepDuration, maxErrorRate, minRequests, onInsufficientData, maxExtensions, maxP95Milliseconds);
    }

    /// <summary>10 → 50 → 100, 5 minutes a step, at most 5% errors, 20 canary requests per step to judge.</summary>
    public static CanaryPolicy Default { get; } = new([10, 50, 100], TimeSpan.FromMinutes(5), 0.05, 20, InsufficientDataAction.Extend);

    public IReadOnlyList<int> Steps { get; }

    public TimeSpan StepDuration { get; }

    public double MaxErrorRate { get; }

    public int MinRequests { get; }

    public InsufficientDataAction OnInsufficientData { get; }

    public int MaxExtensions { get; }

    public double? MaxP95Milliseconds { get; }

    /// <summary>
    /// How many percentage points (as a fraction: 0.01 is one point) the canary's 5xx rate may exceed the stable's in the
    /// same window; the canary passes only once the judge is confident it does not exceed it by more.
    /// </summary>
    public double MaxErrorRateIncrease
    {
        get;
        init => field = value is > 0 and <= 1 ? value
            : throw new InvalidInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"canary.maxErrorRateIncrease {value} must be above 0 and at most 1 (0.01 is one percentage point more 5xx than the stable release)."));
    } = 0.01;

    /// <summary>How much slower (as a fraction: 0.2 is 20%) the canary's response times may be than the stable's in the same window.</summary>
    public double MaxLatencyIncrease
    {
        get;
        init => field = value is >= 0.02 and <= 10 ? value
            : throw new InvalidInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"canary.maxLatencyIncrease {value} must be between 0.02 and 10 (0.2 is 20% slower than the stable release)."));
    } = 0.2;

    /// <summary>Synthetic traffic during the steps for a quiet app (<c>canary.probeTraffic</c>); null: none.</summary>
    public CanaryProbeTraffic? ProbeTraffic { get; init; }

    /// <summary>The confidence of the judge's comparisons (1 − the chance that one of its verdicts on a step is wrong).</summary>
    public double Confidence
    {
        get;
        init => field = value is >= 0.8 and <= 0.9999 ? value
            : throw new InvalidInputException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"canary.confidence {value} must be between 0.8 and 0.9999 (0.99 is a 1% chance of a wrong verdict)."));
    } = 0.99;
}
