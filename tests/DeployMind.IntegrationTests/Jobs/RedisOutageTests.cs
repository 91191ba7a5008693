using DeployMind.Application.Jobs;
using DeployMind.Domain;
using DeployMind.Infrastructure.Redis;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>Redis going away and coming back, on a redis-server of the test's own (never the shared one).</summary>
public sealed class RedisOutageTests
{
    [Fact]
    public async Task RedisRestarted_TheSameClientReconnects_AndNoJobIsLost()
    {
        await using var server = await RedisServerProcess.StartAsync();
        var options = Options.Create(new QueueOptions { Provider = "redis", Redis = server.Address, KeyPrefix = "dmtest-restart", VisibilityTimeout = "2s", MaxDeliveries = 3 });
        await using var connection = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        var queue = new RedisJobQueue(connection, options, TimeProvider.System, NullLogger<RedisJobQueue>.Instance);
        var locks = new RedisDeployLock(connection, TimeProvider.System);
        var jobs = Enumerable.Range(0, 6).Select(i => Job(i % 2 == 0 ? JobPriority.Manual : JobPriority.Webhook)).ToList();
        foreach (var job in jobs)
        {
            await queue.EnqueueAsync(job, CancellationToken.None);
        }

        var done = (await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!;
        await queue.AckAsync(done, CancellationToken.None);
        var orphan = (await queue.TakeAsync("production", "w1", TimeSpan.Zero, CancellationToken.None))!; // its worker never comes back
        var held = (await locks.TryAcquireAsync("docker:web-1", "w1", TimeSpan.FromMinutes(1), CancellationToken.None))!;

        await server.KillAsync();

        for (var deadline = DateTime.UtcNow.AddSeconds(10); connection.IsConnected && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50); // the client notices the closed socket on its own
        }

        var outage = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.StatsAsync("production", CancellationToken.None));
        Assert.StartsWith($"Redis at {server.Address} (queue.redis) is not reachable: ", outage.Message);
        Assert.EndsWith("; start it or use queue.provider: embedded.", outage.Message);
        Assert.IsAssignableFrom<DeployMindException>(outage);
        await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.EnqueueAsync(Job(JobPriority.Manual), CancellationToken.None));
        await Assert.ThrowsAsync<RedisUnavailableException>(() => locks.GetAsync("docker:web-1", CancellationToken.None));

        await server.StartAgainAsync();

        // The same client, no new connection: calls work again once it has reconnected.
        var stats = await Until(() => queue.StatsAsync("production", CancellationToken.None), TimeSpan.FromSeconds(30));
        Assert.Equal((4L, 1L), (stats.Waiting, stats.InFlight));
        Assert.Equal(held.Token, (await locks.GetAsync("docker:web-1", CancellationToken.None))!.Token);
        var taken = new List<Guid>();
        while (taken.Count < 5)
        {
            var lease = await queue.TakeAsync("production", "w2", TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.NotNull(lease);
            taken.Add(lease.Job.Id);
            await queue.AckAsync(lease, CancellationToken.None);
        }

        Assert.Equal(jobs.Select(j => j.Id).Where(id => id != done.Job.Id).Order(), taken.Order());
        Assert.Contains(orphan.Job.Id, taken);
        stats = await queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L, 0L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
    }

    [Fact]
    public async Task UnreachableRedis_FailsWithOneClearLine_WithoutThePassword()
    {
        var port = RedisServerProcess.FreePort();
        var options = Options.Create(new QueueOptions { Provider = "redis", Redis = $"127.0.0.1:{port},password=hunter2" });
        await using var connection = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        var queue = new RedisJobQueue(connection, options, TimeProvider.System, NullLogger<RedisJobQueue>.Instance);
        var locks = new RedisDeployLock(connection, TimeProvider.System);

        var enqueue = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.EnqueueAsync(Job(JobPriority.Manual), CancellationToken.None));
        var take = await Assert.ThrowsAsync<RedisUnavailableException>(() => queue.TakeAsync("production", "w1", TimeSpan.FromSeconds(1), CancellationToken.None));
        var acquire = await Assert.ThrowsAsync<RedisUnavailableException>(() => locks.TryAcquireAsync("docker:web-1", "w1", TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.Equal($"Redis at 127.0.0.1:{port} (queue.redis) is not reachable: connection refused; start it or use queue.provider: embedded.", enqueue.Message);
        Assert.Equal(enqueue.Message, take.Message);
        Assert.Equal(enqueue.Message, acquire.Message);
        Assert.DoesNotContain("hunter2", enqueue.ToString(), StringComparison.Ordinal);
    }

    private static async Task<T> Until<T>(Func<Task<T>> call, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RedisUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    private static DeployJob Job(JobPriority priority) => new()
    {
        Id = Guid.NewGuid(),
        Environment = "production",
        Targets = ["docker:local"],
        Priority = priority,
        TriggeredBy = "cli:alice",
        EnqueuedAt = DateTimeOffset.UtcNow,
    };
}
