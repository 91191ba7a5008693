using System.Diagnostics;
using System.Globalization;
using DeployMind.Application.Jobs;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// What every <see cref="IJobQueue"/> must do, run against each adapter (Redis, embedded). Subclasses give a fresh,
/// empty queue per test with a short visibility timeout (<see cref="Visibility"/>) and <see cref="MaxDeliveries"/>; a failed
/// job waits <see cref="RetryBackoff"/> before it is taken again, doubling per delivery up to <see cref="MaxRetryBackoff"/>.
/// </summary>
public abstract class JobQueueContract : IAsyncLifetime
{
    protected static readonly TimeSpan Visibility = TimeSpan.FromSeconds(2);
    protected const int MaxDeliveries = 3;
    protected static readonly TimeSpan RetryBackoff = TimeSpan.FromMilliseconds(400);
    protected static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromMilliseconds(600);
    private static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(200);

    /// <summary>A queue on the fresh store (several calls: several clients of the same queue, as separate workers are).</summary>
    protected IJobQueue Open() => Open(o =>
    {
        o.RetryBackoff = Ms(RetryBackoff);
        o.MaxRetryBackoff = Ms(MaxRetryBackoff);
    });

    /// <summary>A queue on the fresh store with the contract's settings (visibility, deliveries), then <paramref name="configure"/>'s.</summary>
    protected abstract IJobQueue Open(Action<QueueOptions> configure);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Enqueue_Take_Ack_TheJobComesBackWhole_AndLeaves()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Manual) with { Repository = "acme/shop", Ref = "main", Path = "services/api", Strategy = "canary", Host = "local", Port = 8081, AllowFindings = true, IdempotencyKey = null };
        await queue.EnqueueAsync(job, CancellationToken.None);

        var lease = await queue.TakeAsync("production", "w1", Wait, CancellationToken.None);

        Assert.NotNull(lease);
        Assert.Equal(job, lease.Job with { Targets = job.Targets });
        Assert.Equal(job.Targets, lease.Job.Targets);
        Assert.Equal(1, lease.Deliveries);
        Assert.Equal("w1", lease.Consumer);
        Assert.Equal(1, (await queue.StatsAsync("production", CancellationToken.None)).InFlight);
        await queue.AckAsync(lease, CancellationToken.None);
        var stats = await queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L, 0L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
        Assert.Null(await queue.TakeAsync("production", "w1", Wait, CancellationToken.None));
    }

    [Fact]
    public async Task Environments_AreSeparateQueues()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("staging", JobPriority.Manual), CancellationToken.None);

        Assert.Null(await queue.TakeAsync("production", "w1", Wait, CancellationToken.None));
        Assert.NotNull(await queue.TakeAsync("staging", "w1", Wait, CancellationToken.None));
    }

    [Fact]
    public async Task ManualJobs_AreTakenBeforeWebhookJobs_EachInOrder()
    {
        var queue = Open();
        var hook1 = Job("production", JobPriority.Webhook);
        var hook2 = Job("production", JobPriority.Webhook);
        var manual1 = Job("production", JobPriority.Manual);
        var manual2 = Job("production", JobPriority.Manual);
        foreach (var job in new[] { hook1, manual1, hook2, manual2 })
        {
            await queue.EnqueueAsync(job, CancellationToken.None);
        }

        var order = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var lease = (await queue.TakeAsync("production", "w1", Wait, CancellationToken.None))!;
            order.Add(lease.Job.Id);
            await queue.AckAsync(lease, CancellationToken.None);
        }

        Assert.Equal([manual1.Id, manual2.Id, hook1.Id, hook2.Id], order);
    }

    [Fact]
    public async Task SameIdempotencyKey_EnqueuesOneJob()
    {
        var queue = Open();
        var first = Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-72d3162e" };
        var again = Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-72d3162e" };

        var one = await queue.EnqueueAsync(first, CancellationToken.None);
        var two = await Open().EnqueueAsync(again, CancellationToken.None);

        Assert.True(one.Added);
        Assert.False(two.Added);
        Assert.Equal(first.Id, two.Job.Id);
        Assert.Equal(1, (await queue.StatsAsync("production", CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task ConcurrentEnqueues_WithOneKey_AddExactlyOne()
    {
        var jobs = Enumerable.Range(0, 8).Select(_ => Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-same" }).ToList();

        var results = await Task.WhenAll(jobs.Select(j => Task.Run(() => Open().EnqueueAsync(j, CancellationToken.None))));

        Assert.Single(results, r => r.Added);
        Assert.Single(results.Select(r => r.Job.Id).Distinct());
    }

    [Fact]
    public async Task AJobIsHeldByOneConsumerAtATime()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual), CancellationToken.None);

        var leases = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() => Open().TakeAsync("production", $"w{i}", Wait, CancellationToken.None))));

        Assert.Single(leases, l => l is not null);
    }

    [Fact]
    public async Task AnIdleJob_IsTakenOverAfterTheVisibilityTimeout_AndTheOldLeaseCannotAck()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Manual);
        await queue.EnqueueAsync(job, CancellationToken.None);
        var dead = (await queue.TakeAsync("production", "dead-worker", Wait, CancellationToken.None))!;

        Assert.Null(await Open().TakeAsync("production", "w2", Wait, CancellationToken.None));
        await Task.Delay(Visibility + TimeSpan.FromMilliseconds(300));
        var taken = await Open().TakeAsync("production", "w2", Wait, CancellationToken.None);

        Assert.NotNull(taken);
        Assert.Equal(job.Id, taken.Job.Id);
        Assert.Equal(2, taken.Deliveries);
        Assert.False(await queue.TouchAsync(dead, CancellationToken.None));
        await Open().AckAsync(taken, CancellationToken.None);
        Assert.Equal(0, (await queue.StatsAsync("production", CancellationToken.None)).InFlight);
    }

    [Fact]
    public async Task Touch_KeepsABusyJobFromBeingTakenOver()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual), CancellationToken.None);
        var busy = (await queue.TakeAsync("production", "busy", Wait, CancellationToken.None))!;

        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(Visibility / 2);
            Assert.True(await queue.TouchAsync(busy, CancellationToken.None));
        }

        Assert.Null(await Open().TakeAsync("production", "thief", Wait, CancellationToken.None));
    }

    [Fact]
    public async Task Release_HandsTheJobBack_AfterItsDelay_WithoutCountingAFailure()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Manual);
        await queue.EnqueueAsync(job, CancellationToken.None);
        var lease = (await queue.TakeAsync("production", "w1", Wait, CancellationToken.None))!;

        await queue.ReleaseAsync(lease, TimeSpan.FromSeconds(1), "waiting for the lock of docker:local", CancellationToken.None);

        Assert.Null(await queue.TakeAsync("production", "w1", Wait, CancellationToken.None));
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        var again = await queue.TakeAsync("production", "w2", Wait, CancellationToken.None);
        Assert.NotNull(again);
        Assert.Equal(job.Id, again.Job.Id);
        Assert.Equal(1, again.Deliveries);
    }

    [Fact]
    public async Task Fail_PastTheDeliveryLimit_MovesTheJobToDeadLettersWithItsLastError()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Manual);
        await queue.EnqueueAsync(job, CancellationToken.None);
        var deadLettered = new List<bool>();

        for (var i = 1; i <= MaxDeliveries; i++)
        {
            // Each failure waits out its backoff before the job comes back.
            var lease = await queue.TakeAsync("production", "w1", TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.NotNull(lease);
            Assert.Equal(i, lease.Deliveries);
            deadLettered.Add(await queue.FailAsync(lease, $"attempt {i}: docker daemon not reachable", CancellationToken.None));
        }

        Assert.Equal([.. Enumerable.Repeat(false, MaxDeliveries - 1), true], deadLettered);
        Assert.Null(await queue.TakeAsync("production", "w1", Wait, CancellationToken.None));
        var letter = Assert.Single(await queue.DeadLettersAsync("production", 10, CancellationToken.None));
        Assert.Equal(job.Id, letter.Job.Id);
        Assert.Equal(MaxDeliveries, letter.Deliveries);
        Assert.Equal($"attempt {MaxDeliveries}: docker daemon not reachable", letter.LastError);
        var stats = await queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L, 1L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
    }

    [Fact]
    public async Task Fail_BacksOff_TheJobComesBackOnlyAfterItsDelay_WhichDoublesPerDelivery_UpToTheCap()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Manual);
        await queue.EnqueueAsync(job, CancellationToken.None);

        // Delivery 1 fails: back after RetryBackoff; delivery 2 fails: after twice that, capped at MaxRetryBackoff.
        var expected = new[] { RetryBackoff, MaxRetryBackoff };
        for (var delivery = 1; delivery <= expected.Length; delivery++)
        {
            var lease = (await queue.TakeAsync("production", "w1", TimeSpan.FromSeconds(5), CancellationToken.None))!;
            Assert.Equal(delivery, lease.Deliveries);
            var failedAt = Stopwatch.StartNew();
            Assert.False(await queue.FailAsync(lease, $"attempt {delivery}: registry not reachable", CancellationToken.None));

            Assert.Null(await Open().TakeAsync("production", "eager", expected[delivery - 1] / 2, CancellationToken.None));
            var again = await Open().TakeAsync("production", "w2", TimeSpan.FromSeconds(5), CancellationToken.None);
            var waited = failedAt.Elapsed;
            Assert.NotNull(again);
            Assert.Equal(job.Id, again.Job.Id);
            Assert.True(waited >= expected[delivery - 1] - TimeSpan.FromMilliseconds(20), $"delivery {delivery}: back after {waited.TotalMilliseconds} ms, before its {expected[delivery - 1].TotalMilliseconds} ms backoff");
            Assert.True(waited < expected[delivery - 1] + TimeSpan.FromSeconds(1.5), $"delivery {delivery}: back only after {waited.TotalMilliseconds} ms");
            await queue.ReleaseAsync(again, TimeSpan.Zero, "next round", CancellationToken.None);
        }
    }

    [Fact]
    public async Task AnAbandonedJob_PastTheDeliveryLimit_IsStillHandedOut_WithItsCount_AndItsFailureIsADeadLetter()
    {
        // Its workers keep dying on it: the queue does not bury it silently; the taker sees the count and fails it (the
        // worker then ends the job's deployment).
        var fast = (Action<QueueOptions>)(o =>
        {
            o.VisibilityTimeout = "300ms";
            o.MaxDeliveries = 2;
        });
        var job = Job("production", JobPriority.Manual);
        await Open(fast).EnqueueAsync(job, CancellationToken.None);

        JobLease? lease = null;
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            lease = await Open(fast).TakeAsync("production", $"dies-{delivery}", TimeSpan.FromSeconds(3), CancellationToken.None);
            Assert.NotNull(lease);
            Assert.Equal(delivery, lease.Deliveries);
        }

        Assert.True(await Open(fast).FailAsync(lease!, "taken 2 time(s) and never finished", CancellationToken.None));
        Assert.Null(await Open(fast).TakeAsync("production", "next", TimeSpan.FromMilliseconds(600), CancellationToken.None));
        var letter = Assert.Single(await Open(fast).DeadLettersAsync("production", 10, CancellationToken.None));
        Assert.Equal((job.Id, "taken 2 time(s) and never finished"), (letter.Job.Id, letter.LastError));
    }

    [Fact]
    public async Task Stats_CountWaitingAndInFlight_AndTheOldestWaitingAge()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual) with { EnqueuedAt = DateTimeOffset.UtcNow.AddSeconds(-30) }, CancellationToken.None);
        await queue.EnqueueAsync(Job("production", JobPriority.Webhook), CancellationToken.None);
        await queue.EnqueueAsync(Job("production", JobPriority.Webhook), CancellationToken.None);
        await queue.TakeAsync("production", "w1", Wait, CancellationToken.None);

        var stats = await queue.StatsAsync("production", CancellationToken.None);

        Assert.Equal(("production", 2L, 1L, 0L), (stats.Environment, stats.Waiting, stats.InFlight, stats.DeadLetters));
        Assert.NotNull(stats.OldestWaiting);
        Assert.InRange(stats.OldestWaiting.Value, TimeSpan.Zero, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Take_WaitsForAJobEnqueuedWhileWaiting()
    {
        var queue = Open();
        var take = Open().TakeAsync("production", "w1", TimeSpan.FromSeconds(3), CancellationToken.None);
        await Task.Delay(300);
        var job = Job("production", JobPriority.Manual);
        await queue.EnqueueAsync(job, CancellationToken.None);

        var lease = await take;

        Assert.NotNull(lease);
        Assert.Equal(job.Id, lease.Job.Id);
    }

    [Fact]
    public async Task ManyJobs_ManyConsumers_EachJobTakenAndAckedOnce()
    {
        const int count = 60;
        var queue = Open();
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var job = Job(i % 2 == 0 ? "production" : "staging", i % 3 == 0 ? JobPriority.Manual : JobPriority.Webhook);
            ids.Add(job.Id);
            await queue.EnqueueAsync(job, CancellationToken.None);
        }

        var acked = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var mine = Open();
            var idle = 0;
            while (idle < 3)
            {
                var lease = await mine.TakeAsync(w % 2 == 0 ? "production" : "staging", $"w{w}", Wait, CancellationToken.None);
                if (lease is null)
                {
                    idle++;
                    continue;
                }

                idle = 0;
                acked.Add(lease.Job.Id);
                await mine.AckAsync(lease, CancellationToken.None);
            }
        })));

        Assert.Equal(ids.Order(), acked.Order());
    }

    private static string Ms(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMilliseconds}ms");

    protected static DeployJob Job(string environment, JobPriority priority) => new()
    {
        Id = Guid.NewGuid(),
        Environment = environment,
        Targets = ["docker:local"],
        Priority = priority,
        Path = ".",
        TriggeredBy = priority == JobPriority.Manual ? "cli:alice" : "webhook:push",
        EnqueuedAt = DateTimeOffset.UtcNow,
    };
}
