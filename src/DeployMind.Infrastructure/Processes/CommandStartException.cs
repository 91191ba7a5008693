using DeployMind.Domain;

namespace DeployMind.Infrastructure.Processes;

/// <summary>A command could not be started at all.</summary>
public sealed class CommandStartException : DeployMindException
{
    public CommandStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
