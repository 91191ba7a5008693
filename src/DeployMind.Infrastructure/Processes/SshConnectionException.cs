using DeployMind.Domain;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// No usable SSH connection to a host: refused, timed out, dropped, or rejected (see the derived types for
/// authentication, host key and key file failures). The message says what to check.
/// </summary>
public class SshConnectionException : DeployMindException
{
    public SshConnectionException(string message)
        : base(message)
    {
    }

    public SshConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SshConnectionException()
    {
    }
}
