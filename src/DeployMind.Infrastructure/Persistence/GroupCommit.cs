namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// Group commit: writes that arrive together are committed together. A caller queues its item and waits; one batch is
/// written at a time, and everything queued while it was being written becomes the next batch (up to
/// <paramref name="maxBatch"/> items). Nothing waits for company: a lone item is written at once, and under load the
/// batches grow by themselves, so a burst costs one transaction (one fsync on SQLite, one round trip on PostgreSQL)
/// per batch instead of one per item. A caller's task completes only once its item's batch is committed (or failed:
/// then every item of the batch gets the failure, and none of them was written).
/// </summary>
/// <param name="write">Writes a batch in one transaction and says how each item went (in the batch's order).</param>
/// <param name="maxBatch">The most items in one batch.</param>
internal sealed class GroupCommit<TItem, TResult>(Func<IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> write, int maxBatch = 256)
{
    private readonly Lock _gate = new();
    private List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
    private Task _writer = Task.CompletedTask;
    private long _batches;
    private long _items;

    /// <summary>The batches written so far, and their items (for tests and figures).</summary>
    public (long Batches, long Items) Written => (Interlocked.Read(ref _batches), Interlocked.Read(ref _items));

    /// <summary>
    /// Queues <paramref name="item"/> and waits for its batch. Cancelling stops the wait, not the write: an item whose
    /// batch has started may still be committed.
    /// </summary>
    public Task<TResult> WriteAsync(TItem item, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _pending.Add((item, done));
            if (_writer.IsCompleted)
            {
                _writer = Task.Run(WriteAllAsync, CancellationToken.None);
            }
        }

        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Waits until everything queued so far is written (or failed).</summary>
    public Task IdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _writer.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteAllAsync()
    {
        while (true)
        {
            List<(TItem Item, TaskCompletionSource<TResult> Done)> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    return;
                }

                if (_pending.Count <= maxBatch)
                {
                    (batch, _pending) = (_pending, []);
                }
                else
                {
                    batch = _pending[..maxBatch];
                    _pending.RemoveRange(0, maxBatch);
                }
            }

            try
            {
                var results = await write([.. batch.Select(b => b.Item)]);
                if (results.Count != batch.Count)
                {
                    throw new InvalidOperationException($"A batch of {batch.Count} writes answered for {results.Count}.");
                }

                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _items, batch.Count);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
            }
            catch (Exception ex)
            {
                batch.ForEach(b => b.Done.TrySetException(ex));
            }
        }
    }
}
