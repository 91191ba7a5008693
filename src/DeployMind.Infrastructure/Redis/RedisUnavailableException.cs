using DeployMind.Domain;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// The Redis of <c>queue.redis</c> cannot be reached (refused, timed out, dropped, authentication failed). The message
/// names the server and what to do; the client keeps reconnecting in the background, so a later call may succeed.
/// </summary>
public sealed class RedisUnavailableException : DeployMindException
{
    public RedisUnavailableException(string message)
        : base(message)
    {
    }

    public RedisUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RedisUnavailableException()
    {
    }
}
