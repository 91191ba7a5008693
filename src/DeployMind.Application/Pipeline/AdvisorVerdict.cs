namespace DeployMind.Application.Pipeline;

/// <summary>
/// What a <see cref="IPipelineAdvisor"/> answers after a stage: nothing (<see cref="None"/>), notes for the timeline, or a
/// halt with its reason (and notes). There is no "pass": an advisor cannot loosen a gate.
/// </summary>
public sealed record AdvisorVerdict
{
    private AdvisorVerdict(IReadOnlyList<string> notes, string? haltReason)
    {
        Notes = notes;
        HaltReason = haltReason;
    }

    /// <summary>Nothing to say.</summary>
    public static AdvisorVerdict None { get; } = new([], null);

    /// <summary>Lines for the timeline (explanations, recommendations); recorded redacted.</summary>
    public IReadOnlyList<string> Notes { get; init; }

    /// <summary>Why the deployment must stop here, or null.</summary>
    public string? HaltReason { get; init; }

    /// <summary>A stage agent's explanation (text, recommendations, verdict, model), recorded with the advice; null for other advisors.</summary>
    public StageExplanation? Explanation { get; init; }

    /// <summary>The advisor asks to stop the deployment.</summary>
    public bool Halts => HaltReason is not null;

    /// <summary>Notes only: the outcome stays the stage's.</summary>
    public static AdvisorVerdict Note(params IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(notes);
        return new([.. notes.Where(n => !string.IsNullOrWhiteSpace(n))], null);
    }

    /// <summary>Stop the deployment at this stage because of <paramref name="reason"/>, with optional notes.</summary>
    public static AdvisorVerdict Halt(string reason, params IEnumerable<string> notes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        ArgumentNullException.ThrowIfNull(notes);
        return new([.. notes.Where(n => !string.IsNullOrWhiteSpace(n))], reason);
    }
}
