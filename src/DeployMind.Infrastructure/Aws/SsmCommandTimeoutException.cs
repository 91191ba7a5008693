using DeployMind.Domain;

namespace DeployMind.Infrastructure.Aws;

/// <summary>A command ran past <see cref="SsmTarget.CommandTimeout"/> and was cancelled on the instance.</summary>
public sealed class SsmCommandTimeoutException : DeployMindException
{
    public SsmCommandTimeoutException(string message, TimeSpan timeout)
        : base(message)
    {
        Timeout = timeout;
    }

    /// <summary>The deadline that was exceeded.</summary>
    public TimeSpan Timeout { get; }
}
