using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.Infrastructure.Redis;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>Redis killed and started again (same data) while `deploymind worker` processes run its jobs: no job is lost, the workers resume.</summary>
public sealed class RedisRestartWorkerTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();
    private DeploymindProcesses? _cli;

    public void Dispose()
    {
        _cli?.Dispose();
        _home.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task RedisRestartedMidRun_EveryJobStillFinishes()
    {
        const int jobs = 30;
        await using var redis = await RedisServerProcess.StartAsync();
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), "AWS_ACCESS_KEY_ID=AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)])) + "\n");
        var settings = Options.Create(new QueueOptions { Provider = "redis", Redis = redis.Address, VisibilityTimeout = "3s", LockTtl = "3s", MaxDeliveries = 20 });
        var database = Options.Create(new DatabaseOptions { Path = Path.Combine(_home.Path, "deploymind.db") });
        using var store = new EfDeploymentStore(database);
        await using var connection = new RedisConnection(settings, NullLogger<RedisConnection>.Instance);
        var queue = new RedisJobQueue(connection, settings, TimeProvider.System, NullLogger<RedisJobQueue>.Instance);
        var ids = new List<Guid>();
        for (var i = 0; i < jobs; i++)
        {
            var job = new DeployJob { Id = Guid.NewGuid(), Environment = "production", Targets = [$"docker:t{i % 2}"], Path = _app.Path, TriggeredBy = "test", EnqueuedAt = DateTimeOffset.UtcNow };
            await store.AddAsync(new Deployment(job.Id, "restart", "production", StrategyKind.Rolling, "test", job.EnqueuedAt), CancellationToken.None);
            await queue.EnqueueAsync(job, CancellationToken.None);
            ids.Add(job.Id);
        }

        Start("w1", redis.Address);
        Start("w2", redis.Address);
        await WaitAsync(async () => await FinishedAsync(store, ids) >= 5, TimeSpan.FromSeconds(60));
        await redis.KillAsync();
        var atKill = await FinishedAsync(store, ids);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await redis.StartAgainAsync();

        await WaitAsync(async () => await FinishedAsync(store, ids) == jobs, TimeSpan.FromSeconds(120));

        Assert.True(atKill < jobs, "every job finished before Redis went down; the restart proved nothing");
        var all = await Task.WhenAll(ids.Select(id => store.GetAsync(id, CancellationToken.None)));
        Assert.All(all, d => Assert.Equal(1, d!.Events.Count(e => e.IsTransition && e.To.IsTerminal())));
        Assert.True(_cli!.AllRunning, "a worker died with Redis");
    }

    private static async Task<int> FinishedAsync(EfDeploymentStore store, List<Guid> ids) =>
        (await Task.WhenAll(ids.Select(id => store.GetAsync(id, CancellationToken.None)))).Count(d => d!.IsFinished);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < until, $"not done within {limit}");
            await Task.Delay(200);
        }
    }

    private void Start(string name, string redis)
    {
        _cli ??= new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["DEPLOYMIND__QUEUE__PROVIDER"] = "redis",
            ["DEPLOYMIND__QUEUE__REDIS"] = redis,
            ["DEPLOYMIND__QUEUE__VISIBILITYTIMEOUT"] = "3s",
            ["DEPLOYMIND__QUEUE__LOCKTTL"] = "3s",
            ["DEPLOYMIND__QUEUE__MAXDELIVERIES"] = "20",
        });
        _cli.StartWorker("production", name);
    }
}
