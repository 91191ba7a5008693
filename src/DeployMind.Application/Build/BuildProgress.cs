namespace DeployMind.Application.Build;

/// <summary>A line of build output, with the step it belongs to when the builder said.</summary>
/// <param name="Line">The output line (secrets redacted).</param>
/// <param name="Step">1-based step number, when known.</param>
/// <param name="TotalSteps">Total steps, when known.</param>
/// <param name="Instruction">The instruction of the current step (e.g. "RUN npm ci"), when known.</param>
public sealed record BuildProgress(string Line, int? Step, int? TotalSteps, string? Instruction);
