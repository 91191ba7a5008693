namespace DeployMind.Infrastructure.Processes;

/// <summary>The server's host key could not be verified against known_hosts (unknown, changed or revoked).</summary>
public sealed class SshHostKeyException : SshConnectionException
{
    public SshHostKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
