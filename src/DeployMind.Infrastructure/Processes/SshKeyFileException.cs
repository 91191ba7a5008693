namespace DeployMind.Infrastructure.Processes;

/// <summary>The private key (or its passphrase) could not be read: missing, unreadable, encrypted or malformed.</summary>
public sealed class SshKeyFileException : SshConnectionException
{
    public SshKeyFileException(string message)
        : base(message)
    {
    }

    public SshKeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
