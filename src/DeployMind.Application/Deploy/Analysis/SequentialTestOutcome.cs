namespace DeployMind.Application.Deploy.Analysis;

/// <summary>Where a sequential comparison of canary with stable stands.</summary>
public enum SequentialTestOutcome
{
    /// <summary>The interval still holds the tolerance: more data is needed.</summary>
    Undecided,

    /// <summary>The whole interval is within the tolerance: the canary is no worse than allowed.</summary>
    WithinTolerance,

    /// <summary>The whole interval is beyond the tolerance: the canary is worse than allowed.</summary>
    Worse,
}
