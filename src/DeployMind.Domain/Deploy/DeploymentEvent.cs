namespace DeployMind.Domain.Deploy;

/// <summary>One entry of a deployment's timeline: a transition, or a note within a state (a stage's report).</summary>
/// <param name="At">When it happened.</param>
/// <param name="From">The state it left (for a note: the state it happened in).</param>
/// <param name="To">The state it entered (for a note: the same as <paramref name="From"/>).</param>
/// <param name="Detail">What happened, in one line (never a secret).</param>
public sealed record DeploymentEvent(DateTimeOffset At, DeploymentState From, DeploymentState To, string Detail)
{
    /// <summary>Whether the state changed (false for a note).</summary>
    public bool IsTransition => From != To;
}
