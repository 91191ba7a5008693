using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// Hears every stage's report as the pipeline runs and may make the gate stricter: the hook the stage agents plug into.
/// Register one with <c>services.TryAddEnumerable(ServiceDescriptor.Singleton&lt;IPipelineAdvisor, MyAdvisor&gt;())</c>; the
/// orchestrator asks every registered advisor, in registration order, after each stage that returned a report —
/// passed or not — with that report and the context so far (<see cref="PipelineContext.Reports"/> holds the earlier ones).
/// </summary>
/// <remarks>
/// An advisor can only make the outcome stricter. A halt after a stage that passed fails the deployment at that stage,
/// naming the advisor and its reason; after deploy or verify the previous release is put back first (a pending switch is
/// reverted, as when verify fails). After a stage that failed, a halt changes nothing (it is recorded as a note). Notes
/// are recorded in the timeline, redacted like every other line. An advisor that throws or does not answer within
/// <c>pipeline.advisorTimeout</c> is recorded as a note and changes nothing. Reports and the context are read-only to an
/// advisor: it must not change them, and it gets no way to run commands on a target.
/// </remarks>
internal interface IPipelineAdvisor
{
    /// <summary>The advisor's name, as the timeline shows it ("security-agent").</summary>
    string Name { get; }

    /// <summary>Reads the report of <paramref name="stage"/> and answers: nothing, notes, or a halt with a reason.</summary>
    /// <param name="stage">The stage that just ended.</param>
    /// <param name="report">Its report: a <see cref="ScanStageReport"/>, <see cref="BuildStageReport"/>, <see cref="DeployStageReport"/> or <see cref="VerifyStageReport"/> for the built-in stages.</param>
    /// <param name="context">The run so far.</param>
    /// <param name="cancellationToken">Cancelled at <c>pipeline.advisorTimeout</c> or when the run is cancelled.</param>
    Task<AdvisorVerdict> AdviseAsync(PipelineStage stage, StageReport report, PipelineContext context, CancellationToken cancellationToken);
}
