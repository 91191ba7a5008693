namespace DeployMind.Infrastructure.Processes;

/// <summary>The SSH server refused the private key (or the user).</summary>
public sealed class SshAuthenticationFailedException : SshConnectionException
{
    public SshAuthenticationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
