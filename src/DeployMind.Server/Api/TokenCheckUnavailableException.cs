using DeployMind.Domain;

namespace DeployMind.Server.Api;

/// <summary>The tokens could not be checked (the database is unreachable): the API answers 503, not 401.</summary>
internal sealed class TokenCheckUnavailableException : DeployMindException
{
    public TokenCheckUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
