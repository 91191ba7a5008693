using DeployMind.Application.Jobs;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>The queue contract on the test Redis (scripts/services/redis.sh), a key prefix of its own per test.</summary>
public sealed class RedisJobQueueTests : JobQueueContract
{
    private RedisTestServer Redis { get; } = new();

    protected override IJobQueue Open(Action<QueueOptions> configure)
    {
        var options = Redis.Options;
        configure(options);
        return Redis.OpenQueue(options);
    }

    public override Task InitializeAsync() => Redis.ConnectAsync(connections: 4);

    public override async Task DisposeAsync() => await Redis.DisposeAsync();

    // Every field through JSON and back, the offset and sub-millisecond ticks of EnqueuedAt included.
    [Fact]
    public async Task Take_ReturnsTheJobWithEveryField()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Webhook) with { Targets = ["docker:web-1", "k8s:staging/shop/api"], IdempotencyKey = "delivery-9", Repository = "acme/shop", Ref = "v1.2.3", Path = "services/api", Strategy = "blue-green", Host = "web-1", Port = 8081, AllowFindings = true, EnqueuedAt = new DateTimeOffset(2026, 11, 27, 9, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567) };
        await queue.EnqueueAsync(job, CancellationToken.None);

        var lease = (await Open().TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!;

        Assert.Equal(job, lease.Job with { Targets = job.Targets });
        Assert.Equal(job.Targets, lease.Job.Targets);
        Assert.Equal(job.EnqueuedAt.Offset, lease.Job.EnqueuedAt.Offset);
    }

    [Fact]
    public async Task Ack_LeavesNoKeysBehind_ButAnIdempotencyKeyAndItsJob()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual), CancellationToken.None);
        await queue.EnqueueAsync(Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-1" }, CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            await queue.AckAsync((await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!, CancellationToken.None);
        }

        var keys = (await Redis.KeysAsync()).Select(k => k[(Redis.Prefix.Length + 1)..]).Order().ToList();

        // The streams stay (empty, with their group); the idempotency key keeps its job for a repeated delivery.
        Assert.Equal(4, keys.Count);
        Assert.Equal(["idem:delivery-1", "jobs:production:manual", "jobs:production:webhook"], keys.Where(k => !k.StartsWith("job:", StringComparison.Ordinal)));
        Assert.Single(keys, k => k.StartsWith("job:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Ack_OfALeaseTakenOver_DoesNotAckTheNewHoldersDelivery()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual), CancellationToken.None);
        var slow = (await queue.TakeAsync("production", "slow", TimeSpan.Zero, CancellationToken.None))!;
        await Task.Delay(Visibility + TimeSpan.FromMilliseconds(200));
        var next = (await Open().TakeAsync("production", "next", TimeSpan.Zero, CancellationToken.None))!;

        await queue.AckAsync(slow, CancellationToken.None);
        await queue.ReleaseAsync(slow, TimeSpan.Zero, "late", CancellationToken.None);
        Assert.False(await queue.FailAsync(slow, "late", CancellationToken.None));

        Assert.Equal((0L, 1L), await WaitingAndInFlight(queue));
        Assert.True(await queue.TouchAsync(next, CancellationToken.None));
        await queue.AckAsync(next, CancellationToken.None);
        Assert.Equal((0L, 0L), await WaitingAndInFlight(queue));
    }

    [Fact]
    public async Task ReleaseWithoutDelay_PutsTheJobBackAtOnce()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Webhook);
        await queue.EnqueueAsync(job, CancellationToken.None);
        var lease = (await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!;

        await queue.ReleaseAsync(lease, TimeSpan.Zero, "shutting down", CancellationToken.None);
        var again = await queue.TakeAsync("production", "w2", TimeSpan.Zero, CancellationToken.None);

        Assert.Equal((job.Id, 1), (again?.Job.Id, again?.Deliveries));
    }

    [Fact]
    public async Task Stats_CountDelayedJobsAsWaiting()
    {
        var queue = Open();
        await queue.EnqueueAsync(Job("production", JobPriority.Manual) with { EnqueuedAt = DateTimeOffset.UtcNow.AddMinutes(-5) }, CancellationToken.None);
        var lease = (await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!;

        await queue.ReleaseAsync(lease, TimeSpan.FromMinutes(1), "waiting for the lock of docker:local", CancellationToken.None);
        var stats = await queue.StatsAsync("production", CancellationToken.None);

        Assert.Equal((1L, 0L), (stats.Waiting, stats.InFlight));
        Assert.InRange(stats.OldestWaiting!.Value, TimeSpan.FromMinutes(4.9), TimeSpan.FromMinutes(6));
    }

    private static async Task<(long Waiting, long InFlight)> WaitingAndInFlight(IJobQueue queue)
    {
        var stats = await queue.StatsAsync("production", CancellationToken.None);
        return (stats.Waiting, stats.InFlight);
    }
}
