namespace DeployMind.Application.Build;

/// <summary>A line of build output, with the step it belongs to when the builder said.</summary>
/// <param name="Line">The output line (secrets redacted).</param>
/// <param name="Step">1-based step number, when known.</param>
/// <param name="TotalSteps">Total steps, when known.</param>
/// <param name="Instruction">The instruction of the current step (e.g. "RUN npm ci"), when known.</param>
public sealed record BuildProgress(string Line, int? Step, int? TotalSteps, string? Instruction)
{
    /// <summary>BuildKit's stage name of the step ("build", "stage-1"), when the builder names it; its steps count per stage.</summary>
    public string? Stage { get; init; }

    /// <summary>This line started a step (BuildKit runs stages in parallel, so steps do not come in order).</summary>
    public bool StartsStep { get; init; }
}
