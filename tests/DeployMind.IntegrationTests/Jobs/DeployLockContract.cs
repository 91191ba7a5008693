using DeployMind.Application.Jobs;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>What every <see cref="IDeployLock"/> must do, run against each adapter (Redis, embedded) on a fresh store.</summary>
public abstract class DeployLockContract : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);

    /// <summary>A lock client on the fresh store (several calls: several processes).</summary>
    protected abstract IDeployLock Open();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Acquire_IsExclusive_UntilReleased()
    {
        var a = await Open().TryAcquireAsync("docker:web-1", "worker-a", Ttl, CancellationToken.None);
        var b = await Open().TryAcquireAsync("docker:web-1", "worker-b", Ttl, CancellationToken.None);
        var other = await Open().TryAcquireAsync("docker:web-2", "worker-b", Ttl, CancellationToken.None);

        Assert.NotNull(a);
        Assert.Null(b);
        Assert.NotNull(other);
        var info = await Open().GetAsync("docker:web-1", CancellationToken.None);
        Assert.Equal(("worker-a", a.Token), (info!.Owner, info.Token));

        Assert.True(await Open().ReleaseAsync(a, CancellationToken.None));
        Assert.Null(await Open().GetAsync("docker:web-1", CancellationToken.None));
        Assert.NotNull(await Open().TryAcquireAsync("docker:web-1", "worker-b", Ttl, CancellationToken.None));
    }

    [Fact]
    public async Task Tokens_GrowWithEveryHolding()
    {
        var tokens = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            var handle = (await Open().TryAcquireAsync("docker:web-1", $"w{i}", Ttl, CancellationToken.None))!;
            tokens.Add(handle.Token);
            await Open().ReleaseAsync(handle, CancellationToken.None);
        }

        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public async Task AnExpiredLock_IsTakenByTheNext_AndTheOldHolderCanNeitherExtendNorRelease()
    {
        var old = (await Open().TryAcquireAsync("docker:web-1", "dead", TimeSpan.FromMilliseconds(500), CancellationToken.None))!;
        await Task.Delay(800);

        var next = await Open().TryAcquireAsync("docker:web-1", "alive", Ttl, CancellationToken.None);

        Assert.NotNull(next);
        Assert.True(next.Token > old.Token);
        Assert.False(await Open().ExtendAsync(old, Ttl, CancellationToken.None));
        Assert.False(await Open().ReleaseAsync(old, CancellationToken.None));
        Assert.Equal("alive", (await Open().GetAsync("docker:web-1", CancellationToken.None))!.Owner);
    }

    [Fact]
    public async Task Extend_KeepsTheLockPastItsFirstLease()
    {
        var handle = (await Open().TryAcquireAsync("docker:web-1", "busy", TimeSpan.FromMilliseconds(600), CancellationToken.None))!;
        for (var i = 0; i < 4; i++)
        {
            await Task.Delay(300);
            Assert.True(await Open().ExtendAsync(handle, TimeSpan.FromMilliseconds(600), CancellationToken.None));
        }

        Assert.Null(await Open().TryAcquireAsync("docker:web-1", "other", Ttl, CancellationToken.None));
    }

    [Fact]
    public async Task ForceRelease_FreesALockWhoeverHoldsIt()
    {
        var handle = (await Open().TryAcquireAsync("docker:web-1", "stuck", Ttl, CancellationToken.None))!;

        Assert.True(await Open().ForceReleaseAsync("docker:web-1", CancellationToken.None));
        Assert.False(await Open().ForceReleaseAsync("docker:web-1", CancellationToken.None));
        Assert.False(await Open().ExtendAsync(handle, Ttl, CancellationToken.None));
        Assert.NotNull(await Open().TryAcquireAsync("docker:web-1", "operator", Ttl, CancellationToken.None));
    }

    [Fact]
    public async Task Fence_RefusesAStepWithAnOlderTokenThanOneSeen()
    {
        var old = (await Open().TryAcquireAsync("docker:web-1", "slow", TimeSpan.FromMilliseconds(300), CancellationToken.None))!;
        Assert.True(await Open().CheckFenceAsync("docker:web-1", old.Token, CancellationToken.None));
        await Task.Delay(500);
        var next = (await Open().TryAcquireAsync("docker:web-1", "fast", Ttl, CancellationToken.None))!;

        Assert.True(await Open().CheckFenceAsync("docker:web-1", next.Token, CancellationToken.None));
        Assert.True(await Open().CheckFenceAsync("docker:web-1", next.Token, CancellationToken.None));
        Assert.False(await Open().CheckFenceAsync("docker:web-1", old.Token, CancellationToken.None));
        Assert.True(await Open().CheckFenceAsync("docker:web-2", old.Token, CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentAcquires_OneWinner()
    {
        var handles = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Open().TryAcquireAsync("docker:web-1", $"w{i}", Ttl, CancellationToken.None))));

        Assert.Single(handles, h => h is not null);
    }
}
