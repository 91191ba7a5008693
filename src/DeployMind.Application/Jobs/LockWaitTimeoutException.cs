using DeployMind.Domain;

namespace DeployMind.Application.Jobs;

/// <summary>A target's lock stayed held by another run for longer than the caller would wait; nothing was changed.</summary>
internal sealed class LockWaitTimeoutException : DeployMindException
{
    public LockWaitTimeoutException(string message)
        : base(message)
    {
    }

    public LockWaitTimeoutException()
    {
    }

    public LockWaitTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
