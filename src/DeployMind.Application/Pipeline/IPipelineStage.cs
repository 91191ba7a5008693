using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>One gated stage of the pipeline (scan, build, deploy, verify).</summary>
internal interface IPipelineStage
{
    /// <summary>Which stage this is; the orchestrator runs them in <see cref="PipelineStage"/> order.</summary>
    PipelineStage Stage { get; }

    /// <summary>Runs the stage. It must honour cancellation and leave the target as it was when cancelled.</summary>
    Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken);
}
