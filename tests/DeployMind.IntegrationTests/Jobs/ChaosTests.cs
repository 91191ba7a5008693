using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// 200 jobs over 2 environments and 3 targets, 3 `deploymind worker` processes per environment killed with SIGKILL at
/// random moments and started again: every deployment reaches a terminal state exactly once, none is lost, different
/// targets deploy at the same time, and the fencing audit (who held which target under which token, read from the timelines) shows no two holders' steps
/// interleaving on one target. On the embedded queue and on Redis.
/// </summary>
public sealed partial class ChaosTests : IDisposable
{
    private const int Jobs = 200;
    private static readonly string[] Environments = ["production", "staging"];
    private static readonly string[] Targets = ["docker:t1", "docker:t2", "docker:t3"];

    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();

    private DeploymindProcesses? _cli;

    public void Dispose()
    {
        _cli?.Dispose();
        _home.Dispose();
        _app.Dispose();
    }

    private string _provider = "embedded";
    private string _prefix = "deploymind";

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task WorkersKilledAtRandom_EveryJobFinishesExactlyOnce_NoneLost_NoOverlapOnATarget(string provider)
    {
        _provider = provider;
        await using var redis = new RedisTestServer();
        _prefix = redis.Prefix;
        // A source the scan halts (a committed key): each job is a whole recorded pipeline of a second or so, no Docker.
        var key = "AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)]));
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), $"AWS_ACCESS_KEY_ID={key}\n");
        var database = Options.Create(new DatabaseOptions { Path = Path.Combine(_home.Path, "deploymind.db") });
        var store = new EfDeploymentStore(database);
        var settings = Options.Create(QueueSettings());
        using var connection = new Infrastructure.Redis.RedisConnection(settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<Infrastructure.Redis.RedisConnection>.Instance);
        IJobQueue queue = provider == "redis"
            ? new Infrastructure.Redis.RedisJobQueue(connection, settings, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<Infrastructure.Redis.RedisJobQueue>.Instance)
            : new EmbeddedJobQueue(database, settings, TimeProvider.System);
        var ids = new List<Guid>();
        for (var i = 0; i < Jobs; i++)
        {
            var job = new DeployJob
            {
                Id = Guid.NewGuid(),
                Environment = Environments[i % 2],
                Targets = [Targets[i % 3]],
                Priority = i % 4 == 0 ? JobPriority.Manual : JobPriority.Webhook,
                IdempotencyKey = $"chaos-{i}",
                Path = _app.Path,
                TriggeredBy = "test:chaos",
                EnqueuedAt = DateTimeOffset.UtcNow,
            };
            await store.AddAsync(new Deployment(job.Id, "chaos", job.Environment, StrategyKind.Rolling, job.TriggeredBy, job.EnqueuedAt), CancellationToken.None);
            await queue.EnqueueAsync(job, CancellationToken.None);
            ids.Add(job.Id);
        }

        var slots = Environments.SelectMany(e => Enumerable.Range(1, 3).Select(n => (Environment: e, Name: $"{e}-w{n}"))).ToList();
        var running = slots.ToDictionary(s => s.Name, s => Start(s.Environment, s.Name));
        var kills = 0;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var finished = await CountFinishedAsync(store, ids);
            if (finished == Jobs)
            {
                break;
            }

            if (watch.Elapsed > TimeSpan.FromMinutes(5))
            {
                var production = await queue.StatsAsync("production", CancellationToken.None);
                var staging = await queue.StatsAsync("staging", CancellationToken.None);
                var stuck = (await Task.WhenAll(ids.Select(id => store.GetAsync(id, CancellationToken.None)))).First(d => !d!.IsFinished)!;
                Assert.Fail($"{finished}/{Jobs} finished after {watch.Elapsed}; {kills} kills; {production}; {staging}; a stuck one: {stuck.Environment} {stuck.State} "
                    + string.Join(" | ", stuck.Events.Select(e => e.Detail)));
            }

            // Now and then a worker dies without warning, and comes back a moment later.
            await Task.Delay(Random.Shared.Next(300, 1500));
            if (kills < 25)
            {
                var (environment, name) = slots[Random.Shared.Next(slots.Count)];
                running[name].Kill(entireProcessTree: true);
                kills++;
                running[name] = Start(environment, name);
            }
        }

        Assert.True(kills >= 10, $"only {kills} kills happened");
        var all = await Task.WhenAll(ids.Select(id => store.GetAsync(id, CancellationToken.None)));
        Assert.All(all, d => Assert.Equal(1, d!.Events.Count(e => e.IsTransition && e.To.IsTerminal())));
        Assert.All(all, d => Assert.Equal(PipelineStage.Scan, d!.FailedStage));
        foreach (var environment in Environments)
        {
            var stats = await queue.StatsAsync(environment, CancellationToken.None);
            Assert.Equal((0L, 0L, 0L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
        }

        AssertNoOverlap(all!);
    }

    /// <summary>Per target, the fenced steps in time order: tokens never go down, and one holder's steps are never interleaved with another's.</summary>
    private static void AssertNoOverlap(IEnumerable<Deployment> deployments)
    {
        var steps = new List<(string Target, DateTimeOffset At, long Token)>();
        foreach (var d in deployments)
        {
            var holding = new Dictionary<string, long>();
            foreach (var e in d.Events)
            {
                var match = HoldingPattern().Match(e.Detail);
                if (!e.IsTransition && match.Success)
                {
                    holding[match.Groups[1].Value] = long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
                }
                else if (e.IsTransition && e.To != DeploymentState.Queued)
                {
                    steps.AddRange(holding.Select(h => (h.Key, e.At, h.Value)));
                }
            }
        }

        Assert.NotEmpty(steps);

        // Different targets did deploy at the same time (the workers ran in parallel, not one after another).
        var holds = steps.GroupBy(s => (s.Target, s.Token)).Select(g => (g.Key.Target, From: g.Min(s => s.At), To: g.Max(s => s.At))).ToList();
        Assert.Contains(holds, a => holds.Any(b => b.Target != a.Target && b.From < a.To && a.From < b.To));
        foreach (var target in steps.GroupBy(s => s.Target))
        {
            var ordered = target.OrderBy(s => s.At).ThenBy(s => s.Token).ToList();
            var closed = new HashSet<long>();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Token >= ordered[i - 1].Token, $"{target.Key}: token {ordered[i].Token} acted after token {ordered[i - 1].Token}");
                if (ordered[i].Token != ordered[i - 1].Token)
                {
                    Assert.True(closed.Add(ordered[i - 1].Token), $"{target.Key}: token {ordered[i - 1].Token} acted again after another holder");
                }
            }
        }
    }

    private static async Task<int> CountFinishedAsync(EfDeploymentStore store, List<Guid> ids)
    {
        var finished = 0;
        foreach (var page in ids.Chunk(50))
        {
            foreach (var d in await Task.WhenAll(page.Select(id => store.GetAsync(id, CancellationToken.None))))
            {
                finished += d!.IsFinished ? 1 : 0;
            }
        }

        return finished;
    }

    private QueueOptions QueueSettings() => new()
    {
        Provider = _provider,
        Redis = RedisTestServer.Server,
        KeyPrefix = _prefix,
        VisibilityTimeout = "3s",
        LockTtl = "3s",
        MaxDeliveries = 20,
    };

    private Process Start(string environment, string name)
    {
        var settings = QueueSettings();
        _cli ??= new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["DEPLOYMIND__QUEUE__PROVIDER"] = settings.Provider,
            ["DEPLOYMIND__QUEUE__REDIS"] = settings.Redis,
            ["DEPLOYMIND__QUEUE__KEYPREFIX"] = settings.KeyPrefix,
            ["DEPLOYMIND__QUEUE__VISIBILITYTIMEOUT"] = settings.VisibilityTimeout,
            ["DEPLOYMIND__QUEUE__LOCKTTL"] = settings.LockTtl,
            ["DEPLOYMIND__QUEUE__MAXDELIVERIES"] = settings.MaxDeliveries.ToString(CultureInfo.InvariantCulture),
        });
        return _cli.StartWorker(environment, name);
    }

    [GeneratedRegex(@"^holding (\S+) with fencing token (\d+) ")]
    private static partial Regex HoldingPattern();
}
