using DeployMind.Domain;

namespace DeployMind.Application.Jobs;

/// <summary><c>queue:</c> where deployment jobs wait, and how long a taken job may go quiet before another worker takes it over.</summary>
public sealed class QueueOptions
{
    public const string SectionName = "queue";

    /// <summary>embedded (default: the deployment database, one machine, no Redis) or redis.</summary>
    public string Provider { get; set; } = "embedded";

    /// <summary>Redis: the StackExchange.Redis configuration string, e.g. "127.0.0.1:6379,password=…" (keep a password in DEPLOYMIND__QUEUE__REDIS).</summary>
    public string Redis { get; set; } = "127.0.0.1:6379";

    /// <summary>Prefix of every key (several installations may share a Redis).</summary>
    public string KeyPrefix { get; set; } = "deploymind";

    /// <summary>
    /// A taken job not touched for this long is taken over by another worker (its worker is presumed dead). A running job is
    /// touched every third of the shorter of this and <see cref="LockTtl"/>, so a dead worker's job is taken over about as
    /// soon as its locks expire.
    /// </summary>
    public string VisibilityTimeout { get; set; } = "30s";

    /// <summary>Deliveries after which a job that keeps failing goes to the dead-letter list (and its deployment is failed).</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>How long a job whose attempt failed waits before it is taken again; doubles with each delivery, up to <see cref="MaxRetryBackoff"/>.</summary>
    public string RetryBackoff { get; set; } = "2s";

    /// <summary>The longest wait between two attempts of a failing job.</summary>
    public string MaxRetryBackoff { get; set; } = "1m";

    /// <summary>A lock not extended for this long expires (its holder is presumed dead).</summary>
    public string LockTtl { get; set; } = "30s";

    /// <summary>The visibility timeout, checked.</summary>
    public TimeSpan Visibility => Duration.Parse(VisibilityTimeout, "queue.visibilityTimeout");

    /// <summary>The lock lease, checked.</summary>
    public TimeSpan LockLease => Duration.Parse(LockTtl, "queue.lockTtl");

    /// <summary>The first retry delay, checked.</summary>
    public TimeSpan FirstRetryDelay => Duration.Parse(RetryBackoff, "queue.retryBackoff");

    /// <summary>The longest retry delay, checked.</summary>
    public TimeSpan MaxRetryDelay => Duration.Parse(MaxRetryBackoff, "queue.maxRetryBackoff");

    /// <summary>
    /// How long a job whose <paramref name="deliveries"/>th delivery failed waits before it is taken again: the first
    /// delay, doubled per delivery (2 s, 4 s, 8 s, … by default), at most the longest.
    /// </summary>
    public TimeSpan RetryDelay(int deliveries)
    {
        var first = FirstRetryDelay;
        var max = MaxRetryDelay;
        var delay = first * Math.Pow(2, Math.Clamp(deliveries - 1, 0, 30));
        return delay < max ? delay : max;
    }

    /// <summary>Checks the retry backoff settings.</summary>
    /// <exception cref="InvalidInputException">A setting is not a duration, or the longest delay is shorter than the first.</exception>
    public void CheckRetryBackoff()
    {
        if (FirstRetryDelay <= TimeSpan.Zero)
        {
            throw new InvalidInputException($"queue.retryBackoff: '{RetryBackoff}' must be longer than zero.");
        }

        if (MaxRetryDelay < FirstRetryDelay)
        {
            throw new InvalidInputException($"queue.maxRetryBackoff: '{MaxRetryBackoff}' is shorter than queue.retryBackoff ('{RetryBackoff}'); make it at least as long.");
        }
    }

    /// <summary>Whether Redis is the provider (else embedded).</summary>
    /// <exception cref="InvalidInputException">Neither.</exception>
    public bool UsesRedis => Provider.Trim().ToLowerInvariant() switch
    {
        "redis" => true,
        "embedded" or "" or "database" => false,
        _ => throw new InvalidInputException($"queue.provider: '{Provider}' is not a queue; use embedded (the default, on the deployment database) or redis."),
    };
}
