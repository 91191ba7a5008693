using System.Threading.RateLimiting;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// Turns for reading webhook bodies: <see cref="ServerLimits.WebhookConcurrency"/> at once, <see cref="ServerLimits.WebhookQueue"/>
/// waiting (oldest first, at most <see cref="ServerLimits.WebhookQueueWait"/>); anyone else is answered 503 at once. Only
/// requests that passed the checks needing no body (size, a well-formed signature header) ask for a turn, and a turn ends
/// with the signature check: verified deliveries are then stored without one, at most <see cref="ServerLimits.WebhookStoring"/>
/// at once. Refusals are
/// counted and reported at most every <see cref="ReportInterval"/>, so a flood is one log line per interval, not one per request.
/// </summary>
internal sealed class WebhookGate : IDisposable
{
    /// <summary>How often refusals are reported at most.</summary>
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrencyLimiter _limiter;
    private readonly ConcurrencyLimiter _storing;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _refused;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    public WebhookGate(ServerLimits limits, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _time = time;
        _wait = limits.WebhookQueueWait;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.WebhookConcurrency,
            QueueLimit = limits.WebhookQueue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _storing = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = limits.WebhookStoring, QueueLimit = 0 });
    }

    /// <summary>
    /// A place among the verified deliveries being stored (<see cref="ServerLimits.WebhookStoring"/>), or null when they
    /// are all taken (counted as a refusal; dispose the place when done).
    /// </summary>
    public RateLimitLease? EnterStore()
    {
        var lease = _storing.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        lock (_gate)
        {
            _refused++;
        }

        return null;
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
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The wait ran out.
        }

        lock (_gate)
        {
            _refused++;
        }

        return null;
    }

    /// <summary>The refusals since the last report, when it is time for one (else null).</summary>
    public int? TakeReport()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_refused == 0 || now - _lastReport < ReportInterval)
            {
                return null;
            }

            var refused = _refused;
            (_refused, _lastReport) = (0, now);
            return refused;
        }
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _storing.Dispose();
    }
}
