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

    /// <summary>A taken job not touched for this long is taken over by another worker (its worker is presumed dead).</summary>
    public string VisibilityTimeout { get; set; } = "2m";

    /// <summary>Deliveries after which a job that keeps failing goes to the dead-letter list.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>A lock not extended for this long expires (its holder is presumed dead).</summary>
    public string LockTtl { get; set; } = "30s";

    /// <summary>The visibility timeout, checked.</summary>
    public TimeSpan Visibility => Duration.Parse(VisibilityTimeout, "queue.visibilityTimeout");

    /// <summary>The lock lease, checked.</summary>
    public TimeSpan LockLease => Duration.Parse(LockTtl, "queue.lockTtl");

    /// <summary>Whether Redis is the provider (else embedded).</summary>
    /// <exception cref="InvalidInputException">Neither.</exception>
    public bool UsesRedis => Provider.Trim().ToLowerInvariant() switch
    {
        "redis" => true,
        "embedded" or "" or "database" => false,
        _ => throw new InvalidInputException($"queue.provider: '{Provider}' is not a queue; use embedded (the default, on the deployment database) or redis."),
    };
}
