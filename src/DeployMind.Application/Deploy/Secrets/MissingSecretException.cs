using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Secrets;

/// <summary>A secret of <c>env.secret</c> was in none of the sources; the deploy stops before any host changes.</summary>
public sealed class MissingSecretException : DeployMindException
{
    public MissingSecretException(string message)
        : base(message)
    {
    }

    public MissingSecretException()
    {
    }

    public MissingSecretException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
