using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>What <see cref="DeploymentIntake.SubmitAsync"/> did with a request.</summary>
/// <param name="Deployment">The deployment as recorded: this request's, or the one an earlier request with the same key made.</param>
/// <param name="Job">The job in the queue (for a replay, the first request's).</param>
/// <param name="Added">This call queued the job (false: the key's job was queued before).</param>
/// <param name="Replayed">The key came before: the deployment was recorded by an earlier request, and this one added no record.</param>
public sealed record IntakeResult(Deployment Deployment, DeployJob Job, bool Added, bool Replayed);
