using DeployMind.Application.Pipeline;

namespace DeployMind.Application.Agents;

/// <summary>
/// What a stage agent knows about one stage, split by trust: <see cref="Figures"/> are DeployMind's own numbers, states
/// and enums (no repository text); <see cref="Untrusted"/> holds whatever came from the repository, its commits, its
/// build output or its hosts (file names, excerpts, log lines, lint messages, reasons quoting them). The rule-based
/// explanation is written from both, by DeployMind, and is what stands when no model answers.
/// </summary>
internal sealed record AgentFacts
{
    public required IReadOnlyDictionary<string, object?> Figures { get; init; }

    public required IReadOnlyDictionary<string, object?> Untrusted { get; init; }

    public required IReadOnlyList<AgentTool> Tools { get; init; }

    /// <summary>The rule-based explanation (model "rules", verdict "none").</summary>
    public required StageExplanation Rules { get; init; }
}
