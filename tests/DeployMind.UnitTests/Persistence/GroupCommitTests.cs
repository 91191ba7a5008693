using DeployMind.Infrastructure.Persistence;

namespace DeployMind.UnitTests.Persistence;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task WritesThatArriveWhileABatchIsWritten_AreTheNextBatch_AndEachCallerGetsItsOwnResult()
    {
        var batches = new List<int[]>();
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var commit = new GroupCommit<int, string>(async items =>
        {
            lock (batches)
            {
                batches.Add([.. items]);
            }

            if (items.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }

            return [.. items.Select(i => $"#{i}")];
        });

        var first = commit.WriteAsync(0, CancellationToken.None);
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var waiting = Enumerable.Range(1, 5).Select(i => commit.WriteAsync(i, CancellationToken.None)).ToList();
        Assert.All(waiting, w => Assert.False(w.IsCompleted));

        releaseFirst.SetResult();

        Assert.Equal("#0", await first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(["#1", "#2", "#3", "#4", "#5"], await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([[0], [1, 2, 3, 4, 5]], batches);
        Assert.Equal((2, 6), commit.Written);
    }

    [Fact]
    public async Task AFailedBatch_FailsEveryItemOfIt_AndNoOther()
    {
        var commit = new GroupCommit<int, int>(items => items.Contains(13)
            ? throw new IOException("disk full")
            : Task.FromResult<IReadOnlyList<int>>([.. items]));

        var failed = await Assert.ThrowsAsync<IOException>(() => commit.WriteAsync(13, CancellationToken.None));
        Assert.Equal("disk full", failed.Message);
        Assert.Equal(7, await commit.WriteAsync(7, CancellationToken.None));
    }

    [Fact]
    public async Task ABatch_IsAtMostMaxBatchItems()
    {
        var sizes = new List<int>();
        var gate = new TaskCompletionSource();
        var commit = new GroupCommit<int, int>(async items =>
        {
            lock (sizes)
            {
                sizes.Add(items.Count);
            }

            await gate.Task;
            return [.. items];
        }, maxBatch: 4);

        var writes = Enumerable.Range(0, 11).Select(i => commit.WriteAsync(i, CancellationToken.None)).ToList();
        gate.SetResult();
        Assert.Equal(Enumerable.Range(0, 11), await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.All(sizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(11, sizes.Sum());
    }

    [Fact]
    public async Task ACancelledWait_StopsWaiting_ButTheItemIsStillWritten()
    {
        var written = new List<int>();
        var gate = new TaskCompletionSource();
        var commit = new GroupCommit<int, int>(async items =>
        {
            await gate.Task;
            lock (written)
            {
                written.AddRange(items);
            }

            return [.. items];
        });
        using var cancel = new CancellationTokenSource();

        var wait = commit.WriteAsync(1, cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);

        gate.SetResult();
        await commit.IdleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1], written);
    }
}
