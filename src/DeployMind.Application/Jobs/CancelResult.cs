using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>What <see cref="DeploymentIntake.CancelAsync"/> did.</summary>
/// <param name="Deployment">The deployment: cancelled, or as it was when its worker was asked to stop it.</param>
/// <param name="Requested">False: it was queued and is cancelled now (its job is skipped). True: it runs; its worker stops it at its next step.</param>
public sealed record CancelResult(Deployment Deployment, bool Requested);
