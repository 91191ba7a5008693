using DeployMind.Domain;

namespace DeployMind.Infrastructure.Aws;

/// <summary>SSM could not run a command as asked (refused, undeliverable, output lost); the message says what to do.</summary>
public sealed class SsmCommandException : DeployMindException
{
    public SsmCommandException(string message)
        : base(message)
    {
    }

    public SsmCommandException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
