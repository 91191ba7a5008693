using DeployMind.Application.Jobs;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Persistence;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// The lock contract on the deployment database, a fresh one per test. Every <see cref="Open"/> is a new lock client
/// with its own database client, as another process would have.
/// </summary>
public abstract class EmbeddedDeployLockTests<TTarget> : DeployLockContract
    where TTarget : IStoreTarget, new()
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private int _clients;

    protected TTarget Target { get; } = new();

    // The schema once, before tests open clients concurrently.
    public override Task InitializeAsync() => Target.Open().EnsureReadyAsync(CancellationToken.None);

    public override async Task DisposeAsync() => await Target.DisposeAsync();

    [Fact]
    public async Task ConcurrentAcquireAndRelease_OnOneTarget_NeverOverlap_AndTokensOnlyGrow()
    {
        // Eight clients loop acquire → check → release on one target: no two ever hold it at once, and each holding's
        // token is larger than every earlier holding's.
        var holders = 0;
        var overlaps = 0;
        var tokens = new System.Collections.Concurrent.ConcurrentQueue<long>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var client = Open();
            for (var round = 0; round < 10; round++)
            {
                var handle = await client.TryAcquireAsync("docker:web-1", $"w{i}", Ttl, CancellationToken.None);
                if (handle is null)
                {
                    continue;
                }

                if (Interlocked.Increment(ref holders) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                tokens.Enqueue(handle.Token);
                Interlocked.Decrement(ref holders);
                Assert.True(await client.ReleaseAsync(handle, CancellationToken.None));
            }
        })));

        Assert.Equal(0, overlaps);
        Assert.NotEmpty(tokens);
        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public async Task AFailedAcquire_DoesNotUseUpAToken()
    {
        var first = (await Open().TryAcquireAsync("docker:web-1", "a", Ttl, CancellationToken.None))!;
        Assert.Null(await Open().TryAcquireAsync("docker:web-1", "b", Ttl, CancellationToken.None));
        await Open().ReleaseAsync(first, CancellationToken.None);

        var second = (await Open().TryAcquireAsync("docker:web-1", "b", Ttl, CancellationToken.None))!;

        Assert.Equal(first.Token + 1, second.Token);
    }

    [Fact]
    public async Task Get_ReportsTheLeaseEnd_AndAnExpiredLockAsFree()
    {
        var before = DateTimeOffset.UtcNow;
        await Open().TryAcquireAsync("docker:web-1", "short", TimeSpan.FromMilliseconds(300), CancellationToken.None);

        var info = await Open().GetAsync("docker:web-1", CancellationToken.None);
        Assert.NotNull(info?.ExpiresAt);
        Assert.InRange(info.ExpiresAt.Value, before, DateTimeOffset.UtcNow.AddSeconds(1));

        await Task.Delay(500);
        Assert.Null(await Open().GetAsync("docker:web-1", CancellationToken.None));
        Assert.False(await Open().ForceReleaseAsync("docker:web-1", CancellationToken.None));
    }

    protected override IDeployLock Open() =>
        new EmbeddedDeployLock(Options.Create(Target.Database($"lock-{Interlocked.Increment(ref _clients)}")), TimeProvider.System);
}

/// <summary>The embedded locks on a SQLite file (the default).</summary>
public sealed class SqliteEmbeddedDeployLockTests : EmbeddedDeployLockTests<SqliteTarget>;

/// <summary>The embedded locks on a real PostgreSQL server.</summary>
public sealed class PostgresEmbeddedDeployLockTests : EmbeddedDeployLockTests<PostgresTarget>;
