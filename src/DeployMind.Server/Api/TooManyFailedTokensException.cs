using DeployMind.Domain;

namespace DeployMind.Server.Api;

/// <summary>A client address failed too many token checks within the window: the API answers 429 with <c>Retry-After</c>.</summary>
internal sealed class TooManyFailedTokensException : DeployMindException
{
    public TooManyFailedTokensException(string message, TimeSpan retryAfter)
        : base(message) => RetryAfter = retryAfter;

    /// <summary>When the window ends and failures are answered 401 again.</summary>
    public TimeSpan RetryAfter { get; }
}
