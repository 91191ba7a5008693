using DeployMind.Application.Jobs;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>The lock contract on the test Redis (scripts/services/redis.sh), a key prefix of its own per test.</summary>
public sealed class RedisDeployLockTests : DeployLockContract
{
    private RedisTestServer Redis { get; } = new();

    protected override IDeployLock Open() => Redis.OpenLock();

    public override Task InitializeAsync() => Redis.ConnectAsync(connections: 4);

    public override async Task DisposeAsync() => await Redis.DisposeAsync();

    [Fact]
    public async Task Get_TellsWhenTheLeaseEnds()
    {
        var before = DateTimeOffset.UtcNow;
        var handle = (await Open().TryAcquireAsync("k8s:staging/shop/api", "worker-1", TimeSpan.FromSeconds(30), CancellationToken.None))!;

        var info = await Open().GetAsync("k8s:staging/shop/api", CancellationToken.None);

        Assert.Equal(("k8s:staging/shop/api", "worker-1", handle.Token), (info!.Target, info.Owner, info.Token));
        Assert.InRange(info.ExpiresAt!.Value, before.AddSeconds(29), DateTimeOffset.UtcNow.AddSeconds(30.5));
    }

    [Fact]
    public async Task AFailedAcquire_TakesNoToken()
    {
        var first = (await Open().TryAcquireAsync("docker:web-1", "a", TimeSpan.FromSeconds(30), CancellationToken.None))!;
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await Open().TryAcquireAsync("docker:web-1", "b", TimeSpan.FromSeconds(30), CancellationToken.None));
        }

        await Open().ReleaseAsync(first, CancellationToken.None);
        var second = (await Open().TryAcquireAsync("docker:web-1", "b", TimeSpan.FromSeconds(30), CancellationToken.None))!;

        Assert.Equal(first.Token + 1, second.Token);
    }
}
