namespace DeployMind.Application.Pipeline;

/// <summary>
/// A stage that puts something in place a later halt must take back: the deploy stage, whose release serves once it
/// passed. The orchestrator calls it when an advisor halts the pipeline after the stage passed and nothing else puts the
/// previous release back (a pending switch on Docker hosts is reverted by the orchestrator itself).
/// </summary>
internal interface IRevertibleStage
{
    /// <summary>
    /// Puts back what served before the stage ran; returns what to add to the deployment's reason ("; rolled back to r1"),
    /// or "" when there was nothing to take back. Must not throw for a rollback that failed: it says so instead.
    /// </summary>
    Task<string> RevertAsync(PipelineContext context, CancellationToken cancellationToken);
}
