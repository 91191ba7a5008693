using DeployMind.Domain;

namespace DeployMind.Infrastructure.Processes;

/// <summary>A remote command ran past <see cref="SshTarget.CommandTimeout"/> and was killed.</summary>
public sealed class SshCommandTimeoutException : DeployMindException
{
    public SshCommandTimeoutException(string message, TimeSpan timeout)
        : base(message)
    {
        Timeout = timeout;
    }

    /// <summary>The deadline that was exceeded.</summary>
    public TimeSpan Timeout { get; }
}
