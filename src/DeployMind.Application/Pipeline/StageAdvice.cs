using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>What one advisor answered after one stage, as recorded (redacted) in <see cref="PipelineContext.Advice"/>.</summary>
/// <param name="Stage">The stage it read.</param>
/// <param name="Advisor">The advisor's name.</param>
/// <param name="Verdict">Its answer, redacted; an advisor that failed or did not answer has a note saying so and no halt.</param>
/// <param name="Applied">Its halt ended the deployment (the first halt after a stage that passed); false for notes and for halts that changed nothing.</param>
public sealed record StageAdvice(PipelineStage Stage, string Advisor, AdvisorVerdict Verdict, bool Applied);
