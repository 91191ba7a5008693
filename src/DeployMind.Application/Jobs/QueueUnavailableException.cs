using DeployMind.Domain;

namespace DeployMind.Application.Jobs;

/// <summary>The records or the job queue cannot be reached: a request cannot be stored (the server answers 503).</summary>
public sealed class QueueUnavailableException : DeployMindException
{
    public QueueUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The deployment the request would have made (it may be recorded, queued without its job).</summary>
    public Guid? DeploymentId { get; init; }
}
