namespace DeployMind.Domain.Deploy;

/// <summary>One transition of a deployment, with when and why.</summary>
/// <param name="At">When it happened.</param>
/// <param name="From">The state it left.</param>
/// <param name="To">The state it entered.</param>
/// <param name="Detail">What happened, in one line (never a secret).</param>
public sealed record DeploymentEvent(DateTimeOffset At, DeploymentState From, DeploymentState To, string Detail);
