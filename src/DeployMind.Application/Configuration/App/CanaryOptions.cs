using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Configuration;

/// <summary><c>canary:</c>.</summary>
public sealed class CanaryOptions
{
    /// <summary>Traffic percentages; default [10, 50, 100].</summary>
    public List<int>? Steps { get; set; }

    public string StepDuration { get; set; } = "5m";

    public double MaxErrorRate { get; set; } = 0.05;

    public int MinRequests { get; set; } = 20;

    /// <summary>extend (default), pass or fail.</summary>
    public string OnInsufficientData { get; set; } = "extend";

    public int MaxExtensions { get; set; } = 2;

    /// <summary>p95 latency limit in milliseconds; none by default.</summary>
    public double? MaxP95 { get; set; }

    /// <summary>Percentage points (as a fraction) the canary's 5xx rate may exceed the stable's; default 0.01.</summary>
    public double MaxErrorRateIncrease { get; set; } = 0.01;

    /// <summary>How much slower (as a fraction) the canary's response times may be than the stable's; default 0.2.</summary>
    public double MaxLatencyIncrease { get; set; } = 0.2;

    /// <summary>The confidence of the judge's comparisons; default 0.99.</summary>
    public double Confidence { get; set; } = 0.99;

    /// <summary>Synthetic requests during canary steps for a quiet app; none by default.</summary>
    public ProbeTrafficOptions? ProbeTraffic { get; set; }

    public CanaryPolicy ToPolicy(string key)
    {
        var action = OnInsufficientData.Trim().ToLowerInvariant() switch
        {
            "extend" => InsufficientDataAction.Extend,
            "pass" => InsufficientDataAction.Pass,
            "fail" => InsufficientDataAction.Fail,
            _ => throw new InvalidInputException($"{key}.onInsufficientData: '{OnInsufficientData}' must be extend, pass or fail."),
        };
        try
        {
            return new CanaryPolicy(Steps is { Count: > 0 } ? Steps : [10, 50, 100], Duration.Parse(StepDuration, key + ".stepDuration"), MaxErrorRate, MinRequests, action, MaxExtensions, MaxP95)
            {
                MaxErrorRateIncrease = MaxErrorRateIncrease,
                MaxLatencyIncrease = MaxLatencyIncrease,
                Confidence = Confidence,
                ProbeTraffic = ProbeTraffic?.ToProbeTraffic(),
            };
        }
        catch (InvalidInputException ex) when (ex.Message.StartsWith("canary.", StringComparison.Ordinal))
        {
            // The policy names its keys relative to canary; say where they are.
            throw new InvalidInputException(key + ex.Message["canary".Length..], ex);
        }
    }
}
