using System.Threading.RateLimiting;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// Turns for reading webhook bodies: <see cref="ServerLimits.WebhookConcurrency"/> at once, <see cref="ServerLimits.WebhookQueue"/>
/// waiting (oldest first, at most <see cref="ServerLimits.WebhookQueueWait"/>); anyone else is answered 503 at once. Only
/// requests that passed the checks needing no body (size, a well-formed signature header) ask for a turn.
/// </summary>
internal sealed class WebhookGate : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly TimeSpan _wait;

    public WebhookGate(ServerLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _wait = limits.WebhookQueueWait;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.WebhookConcurrency,
            QueueLimit = limits.WebhookQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>A turn, or null when the queue is full or the wait ran out (dispose the turn when done).</summary>
    public async Task<RateLimitLease?> EnterAsync(CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_wait);
        try
        {
            var lease = await _limiter.AcquireAsync(1, wait.Token);
            if (lease.IsAcquired)
            {
                return lease;
            }

            lease.Dispose();
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    public void Dispose() => _limiter.Dispose();
}
