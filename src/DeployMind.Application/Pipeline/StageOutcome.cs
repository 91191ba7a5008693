namespace DeployMind.Application.Pipeline;

/// <summary>How a stage ended.</summary>
public enum StageOutcome
{
    /// <summary>On to the next stage.</summary>
    Passed,

    /// <summary>The stage stopped the pipeline (a blocking finding, a failed build, a deploy that never took traffic).</summary>
    Halted,

    /// <summary>The new release took traffic, misbehaved and was rolled back.</summary>
    RolledBack,
}
