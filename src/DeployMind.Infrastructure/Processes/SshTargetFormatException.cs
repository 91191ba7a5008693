using DeployMind.Domain;

namespace DeployMind.Infrastructure.Processes;

/// <summary>An SSH target string is not <c>user@host[:port]</c> or <c>ssh://user@host[:port]</c>.</summary>
public sealed class SshTargetFormatException : DeployMindException
{
    public SshTargetFormatException(string message)
        : base(message)
    {
    }
}
