using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>
/// An idempotency key came again with a different request (another repository, environment, pull request, or a rollback
/// instead of a deployment): nothing is queued; the key names <see cref="Existing"/> (the API answers 422).
/// </summary>
public sealed class IdempotencyKeyReusedException : InvalidInputException
{
    public IdempotencyKeyReusedException(string key, Deployment existing)
        : base(Describe(key, existing))
    {
        Key = key;
        Existing = existing;
    }

    /// <summary>The key, as the request gave it to the intake (with its front door's prefix).</summary>
    public string Key { get; }

    /// <summary>The deployment the key made first.</summary>
    public Deployment Existing { get; }

    private static string Describe(string key, Deployment existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return $"The idempotency key '{key}' was used for another request: deployment {existing.ShortId()} ({(existing.RollbackOf is null ? "of" : "rollback of")} {existing.Repository ?? existing.App} to {existing.Environment}). Use a new key for a new request.";
    }
}
