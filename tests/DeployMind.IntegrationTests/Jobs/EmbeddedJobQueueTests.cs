using System.Globalization;
using DeployMind.Application.Jobs;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Persistence;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// The queue contract on the deployment database, a fresh one per test. Every <c>Open()</c> is a new queue with its
/// own database client, as another worker process would have.
/// </summary>
public abstract class EmbeddedJobQueueTests<TTarget> : JobQueueContract
    where TTarget : IStoreTarget, new()
{
    private int _clients;

    protected TTarget Target { get; } = new();

    // The schema once, before tests open clients concurrently.
    public override Task InitializeAsync() => Target.Open().EnsureReadyAsync(CancellationToken.None);

    public override async Task DisposeAsync() => await Target.DisposeAsync();

    [Fact]
    public async Task Take_ReturnsTheJobWhole_EveryField()
    {
        // Every field survives the payload column, the optional ones included.
        var job = Job("production", JobPriority.Webhook) with
        {
            Targets = ["docker:web-1", "k8s:staging/shop/api"],
            IdempotencyKey = "delivery-9f1c",
            Repository = "acme/shop",
            Ref = "v1.2.3",
            Path = "services/api",
            Strategy = "blue-green",
            Host = "web-1",
            Port = 8081,
            AllowFindings = true,
            EnqueuedAt = new DateTimeOffset(2026, 11, 27, 9, 30, 15, 123, TimeSpan.FromHours(2)).AddTicks(4567),
        };
        await Open().EnqueueAsync(job, CancellationToken.None);

        var lease = await Open().TakeAsync("production", "w1", TimeSpan.FromMilliseconds(200), CancellationToken.None);

        Assert.NotNull(lease);
        Assert.Equal(job, lease.Job with { Targets = job.Targets });
        Assert.Equal(job.Targets, lease.Job.Targets);
        Assert.Equal(job.EnqueuedAt.Offset, lease.Job.EnqueuedAt.Offset);
    }

    [Fact]
    public async Task SameIdempotencyKey_AfterTheJobWasAcked_AddsNothing()
    {
        var queue = Open();
        var job = Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-acked" };
        await queue.EnqueueAsync(job, CancellationToken.None);
        var lease = (await queue.TakeAsync("production", "w1", TimeSpan.FromMilliseconds(200), CancellationToken.None))!;
        await queue.AckAsync(lease, CancellationToken.None);

        var again = await Open().EnqueueAsync(Job("production", JobPriority.Webhook) with { IdempotencyKey = "delivery-acked" }, CancellationToken.None);

        Assert.False(again.Added);
        Assert.Equal(job.Id, again.Job.Id);
        var stats = await queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L, 0L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
        Assert.Null(await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task AStaleLease_CannotAckReleaseOrFailTheNewHoldersJob()
    {
        var options = new QueueOptions { VisibilityTimeout = "200ms", MaxDeliveries = 5 };
        await Open(options).EnqueueAsync(Job("production", JobPriority.Manual), CancellationToken.None);
        var stale = (await Open(options).TakeAsync("production", "slow", TimeSpan.Zero, CancellationToken.None))!;
        var current = (await Open(options).TakeAsync("production", "fast", TimeSpan.FromSeconds(2), CancellationToken.None))!;

        var queue = Open(options);
        await queue.AckAsync(stale, CancellationToken.None);
        await queue.ReleaseAsync(stale, TimeSpan.Zero, "shutting down", CancellationToken.None);
        Assert.False(await queue.FailAsync(stale, "boom", CancellationToken.None));

        Assert.Equal(1, (await queue.StatsAsync("production", CancellationToken.None)).InFlight);
        Assert.True(await queue.TouchAsync(current, CancellationToken.None));
        await queue.AckAsync(current, CancellationToken.None);
        Assert.Equal(0, (await queue.StatsAsync("production", CancellationToken.None)).InFlight);
    }

    [Fact]
    public async Task ALeaseOfAnotherQueue_IsRefused()
    {
        var foreign = new JobLease(Job("production", JobPriority.Manual), "w1", "1732684800000-0", 1);

        await Assert.ThrowsAsync<ArgumentException>(() => Open().TouchAsync(foreign, CancellationToken.None));
    }

    protected override IJobQueue Open(Action<QueueOptions> configure)
    {
        var options = new QueueOptions
        {
            VisibilityTimeout = string.Create(CultureInfo.InvariantCulture, $"{Visibility.TotalMilliseconds}ms"),
            MaxDeliveries = MaxDeliveries,
        };
        configure(options);
        return Open(options);
    }

    private EmbeddedJobQueue Open(QueueOptions options) => new(
        Options.Create(Target.Database($"queue-{Interlocked.Increment(ref _clients)}")),
        Options.Create(options),
        TimeProvider.System);
}

/// <summary>The embedded queue on a SQLite file (the default).</summary>
public sealed class SqliteEmbeddedJobQueueTests : EmbeddedJobQueueTests<SqliteTarget>;

/// <summary>The embedded queue on a real PostgreSQL server.</summary>
public sealed class PostgresEmbeddedJobQueueTests : EmbeddedJobQueueTests<PostgresTarget>;
