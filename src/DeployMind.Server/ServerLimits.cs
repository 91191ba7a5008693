namespace DeployMind.Server;

/// <summary>
/// What the server lets unauthenticated callers cost it (docs/server.md, "Limits"): webhook bodies read at once and how
/// much of each is kept in memory, how long a body may take to arrive, and how many failed token checks a client address
/// gets. Fixed defaults; tests register their own instance before <c>AddDeployMindServer</c>.
/// </summary>
internal sealed class ServerLimits
{
    /// <summary>
    /// Webhook bodies read (and hashed) at once; the others wait in the queue. A burst of real deliveries (a few KB each,
    /// read in a millisecond) must fit: GitHub does not redeliver a delivery answered 503 by itself.
    /// </summary>
    public int WebhookConcurrency { get; init; } = 16;

    /// <summary>
    /// Webhook requests waiting for a turn; beyond these the answer is 503 at once. A waiting request has read nothing
    /// (its connection's buffer is Kestrel's either way), so the queue is sized for a second of a steady 1,000 deliveries/s
    /// stalled, not for memory.
    /// </summary>
    public int WebhookQueue { get; init; } = 1024;

    /// <summary>How long a queued webhook request waits for a turn before it is answered 503.</summary>
    public TimeSpan WebhookQueueWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Verified deliveries being stored at once (their deployment recorded and job queued). A delivery gives back its
    /// reading turn once its signature is checked, so a slow store does not stop other bodies being read; this bounds
    /// what verified ones can hold meanwhile. Beyond it the answer is 503 at once.
    /// </summary>
    public int WebhookStoring { get; init; } = 1024;

    /// <summary>How much of one webhook body is kept in memory; the rest goes to a temporary file (0600, deleted on close).</summary>
    public int WebhookMemoryBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a webhook body may take to arrive, once its turn came (GitHub itself gives up after 10 s).</summary>
    public TimeSpan WebhookBodyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed bearer-token checks a client address gets within <see cref="FailedTokenWindow"/>; after them, 429.</summary>
    public int FailedTokenLimit { get; init; } = 10;

    /// <summary>The window failed token checks are counted in.</summary>
    public TimeSpan FailedTokenWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Client addresses whose failures are counted at once (memory stays bounded whoever calls).</summary>
    public int FailedTokenAddresses { get; init; } = 10_000;
}
