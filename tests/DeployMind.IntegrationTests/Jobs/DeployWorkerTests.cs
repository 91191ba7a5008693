using System.Collections.Concurrent;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>The worker's scheduling on the embedded queue and lock (a SQLite file), with a job runner that records when it held which target.</summary>
public sealed class DeployWorkerTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly IOptions<DatabaseOptions> _database;
    private readonly IOptions<QueueOptions> _queueOptions = Options.Create(new QueueOptions { VisibilityTimeout = "3s", LockTtl = "3s", MaxDeliveries = 3, RetryBackoff = "200ms" });
    private readonly EfDeploymentStore _store;
    private readonly EmbeddedJobQueue _queue;
    private readonly EmbeddedDeployLock _locks;

    public DeployWorkerTests()
    {
        _database = Options.Create(new DatabaseOptions { Path = Path.Combine(_folder.Path, "deploymind.db") });
        _store = new EfDeploymentStore(_database);
        _queue = new EmbeddedJobQueue(_database, _queueOptions, TimeProvider.System);
        _locks = new EmbeddedDeployLock(_database, TimeProvider.System);
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task DifferentTargetsRunInParallel_TheSameTargetOneAtATime()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromMilliseconds(700));
        var ids = new List<Guid>();
        foreach (var target in new[] { "docker:a", "docker:a", "docker:b", "docker:b", "docker:a" })
        {
            // An app each: a newer deployment of the same app would supersede an older one still waiting for the lock.
            ids.Add(await EnqueueAsync(target, app: $"app-{ids.Count}"));
        }

        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 4, stop.Token, CancellationToken.None);
        await WaitFinishedAsync(ids, TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await worker;

        var runs = runner.Runs.ToList();
        Assert.Equal(5, runs.Count);

        // Jobs that found their target locked were prepared again later: every preparation was released, run or not.
        var (prepared, released) = runner.Preparations;
        Assert.True(prepared >= 5, $"{prepared} preparations");
        Assert.Equal(prepared, released);
        foreach (var group in runs.GroupBy(r => r.Target))
        {
            var ordered = group.OrderBy(r => r.Start).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                Assert.True(ordered[i].Start >= ordered[i - 1].End, $"{group.Key}: two runs overlapped");
            }
        }

        Assert.Contains(runs.Where(r => r.Target == "docker:a"), a => runs.Any(b => b.Target == "docker:b" && b.Start < a.End && a.Start < b.End));
    }

    [Fact]
    public async Task AJobWhoseTargetIsLocked_WaitsSayingWhoHoldsIt_ThenRuns()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromMilliseconds(100));
        var held = (await _locks.TryAcquireAsync("docker:a", "operator at the console", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        var id = await EnqueueAsync("docker:a");

        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var waiting = (await _store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Queued, waiting.State);
        Assert.Contains(waiting.Events, e => e.Detail == "waiting for the lock of docker:a, held by operator at the console");
        Assert.Empty(runner.Runs);

        await _locks.ReleaseAsync(held, CancellationToken.None);
        await WaitFinishedAsync([id], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        Assert.Single(runner.Runs);
        Assert.Equal(DeploymentState.Succeeded, (await _store.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task AWorkerThatLosesItsLock_StopsAndLeavesTheJob_ForTheNextHolder()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromSeconds(6));
        var id = await EnqueueAsync("docker:a");
        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitAsync(() => !runner.Started.IsEmpty, TimeSpan.FromSeconds(20));

        // An operator frees the lock and someone else takes it: the running job must notice and stop changing the target.
        Assert.True(await _locks.ForceReleaseAsync("docker:a", CancellationToken.None));
        var other = await _locks.TryAcquireAsync("docker:a", "other", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.NotNull(other);
        await WaitAsync(() => runner.Cancelled > 0, TimeSpan.FromSeconds(10));
        await stop.CancelAsync();
        await worker;

        Assert.Empty(runner.Runs);
        Assert.False((await _store.GetAsync(id, CancellationToken.None))!.State == DeploymentState.Succeeded);
        Assert.Equal(1, (await _queue.StatsAsync("production", CancellationToken.None)).InFlight + (await _queue.StatsAsync("production", CancellationToken.None)).Waiting);

        // The job is still there for the next holder: once the other lock is gone, a worker runs it to the end.
        await _locks.ReleaseAsync(other, CancellationToken.None);
        using var stopNext = new CancellationTokenSource();
        var next = Worker(new RecordingRunner(_store, TimeSpan.FromMilliseconds(100))).RunAsync("production", "w-next", 1, stopNext.Token, CancellationToken.None);
        await WaitFinishedAsync([id], TimeSpan.FromSeconds(30));
        await stopNext.CancelAsync();
        await next;
        Assert.Equal(DeploymentState.Succeeded, (await _store.GetAsync(id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task APoisonJob_ThatFailsEveryTime_EndsInTheDeadLettersWithItsError()
    {
        var id = await EnqueueAsync("docker:a");
        using var stop = new CancellationTokenSource();
        var worker = Worker(new ThrowingRunner()).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);

        await WaitAsync(async () => (await _queue.StatsAsync("production", CancellationToken.None)).DeadLetters == 1, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        var letter = Assert.Single(await _queue.DeadLettersAsync("production", 10, CancellationToken.None));
        Assert.Equal(id, letter.Job.Id);
        Assert.Equal(3, letter.Deliveries);
        Assert.Equal("the docker daemon is not reachable", letter.LastError);
        Assert.Null(await _locks.GetAsync("docker:a", CancellationToken.None));

        // Never run again: its deployment ends failed, saying why, and each failed attempt is in its timeline.
        var deployment = (await _store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Equal("the job failed 3 time(s) and was moved to the dead letters of the production queue: the docker daemon is not reachable", deployment.Reason);
        Assert.Contains(deployment.Events, e => e.Detail == "attempt 1 of 3 failed: the docker daemon is not reachable; tried again in 0.2 s");
        Assert.Contains(deployment.Events, e => e.Detail == "attempt 2 of 3 failed: the docker daemon is not reachable; tried again in 0.4 s");
    }

    [Fact]
    public async Task AJobRunOverAndOverByWorkersThatDie_IsNotRunAgain_ItsDeploymentFails()
    {
        // Three deliveries already (workers that took it and died): the next taker gives up on it instead of running it.
        var id = await EnqueueAsync("docker:a");
        var fast = Options.Create(new QueueOptions { VisibilityTimeout = "200ms", MaxDeliveries = 3 });
        for (var i = 1; i <= 3; i++)
        {
            Assert.NotNull(await new EmbeddedJobQueue(_database, fast, TimeProvider.System).TakeAsync("production", $"dies-{i}", TimeSpan.FromSeconds(3), CancellationToken.None));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var runner = new RecordingRunner(_store, TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource();
        var worker = Worker(runner, new EmbeddedJobQueue(_database, fast, TimeProvider.System), fast).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitFinishedAsync([id], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        Assert.Empty(runner.Started);
        var deployment = (await _store.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Contains("taken 3 time(s) and never finished", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal(id, Assert.Single(await _queue.DeadLettersAsync("production", 10, CancellationToken.None)).Job.Id);
    }

    [Fact]
    public async Task AnOlderJob_WhoseAppANewerDeploymentDeployedMeanwhile_IsSuperseded_NotRun_AndAcked()
    {
        // q1 (a webhook's) is queued first, q2 (manual, so taken first) after it: q2 succeeds, then q1 must not put its
        // older release back over q2's.
        var runner = new RecordingRunner(_store, TimeSpan.FromMilliseconds(200));
        var q1 = await EnqueueAsync("docker:a", JobPriority.Webhook);
        await Task.Delay(20);
        var q2 = await EnqueueAsync("docker:a", JobPriority.Manual);

        using var stop = new CancellationTokenSource();
        var reports = new ReportList();
        var worker = Worker(runner, reporter: reports).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitFinishedAsync([q1, q2], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        Assert.Equal([q2], runner.Started);
        var report = Assert.Single(reports.Reports, r => r.Id == q1); // the commit status says superseded, not "pending" forever
        Assert.Equal(DeploymentState.Superseded, report.State);
        var newer = (await _store.GetAsync(q2, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Succeeded, newer.State);
        var older = (await _store.GetAsync(q1, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Superseded, older.State);
        Assert.StartsWith($"superseded by deployment {q2.ToString("N")[..8]} of app, queued after this one, which succeeded at ", older.Reason, StringComparison.Ordinal);
        var stats = await _queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0L, 0L, 0L), (stats.Waiting, stats.InFlight, stats.DeadLetters));
        Assert.Null(await _locks.GetAsync("docker:a", CancellationToken.None));
    }

    [Fact]
    public async Task AnOlderJob_OfAnotherApp_OrAfterAFailedNewerOne_StillRuns()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromMilliseconds(100));
        var q1 = await EnqueueAsync("docker:a", JobPriority.Webhook);
        await Task.Delay(20);
        var otherApp = await EnqueueAsync("docker:a", JobPriority.Manual, app: "other");
        var failedNewer = Guid.NewGuid();
        var failed = new Deployment(failedNewer, "app", "production", StrategyKind.Rolling, "test", DateTimeOffset.UtcNow.AddSeconds(1));
        failed.MoveTo(DeploymentState.Scanning, "test", DateTimeOffset.UtcNow);
        failed.Fail(PipelineStage.Scan, "blocked", DateTimeOffset.UtcNow);
        await _store.AddAsync(failed, CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitFinishedAsync([q1, otherApp], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        Assert.Equal(DeploymentState.Succeeded, (await _store.GetAsync(q1, CancellationToken.None))!.State);
        Assert.Equal(DeploymentState.Succeeded, (await _store.GetAsync(otherApp, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task AJobWithoutTargets_LocksWhatTheRunnerFinds()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromSeconds(3)) { Resolved = ["docker:found-later"] };
        var id = await EnqueueAsync(target: null);

        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitAsync(() => runner.Started.Contains(id), TimeSpan.FromSeconds(30));
        var holder = await _locks.GetAsync("docker:found-later", CancellationToken.None);
        Assert.NotNull(holder);
        Assert.Contains(id.ToString(), holder.Owner, StringComparison.Ordinal);
        await WaitFinishedAsync([id], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        var deployment = await _store.GetAsync(id, CancellationToken.None);
        Assert.Contains(deployment!.Events, e => e.Detail.StartsWith("holding docker:found-later with fencing token", StringComparison.Ordinal));
        Assert.Equal((1, 1), runner.Preparations);
        Assert.Null(await _locks.GetAsync("docker:found-later", CancellationToken.None));
    }

    [Fact]
    public async Task ACancelRequest_StopsTheRunningJob_WhichEndsCancelledAndAcked()
    {
        var runner = new RecordingRunner(_store, TimeSpan.FromMinutes(5));
        var id = await EnqueueAsync("docker:a");

        using var stop = new CancellationTokenSource();
        var worker = Worker(runner).RunAsync("production", "w", 1, stop.Token, CancellationToken.None);
        await WaitAsync(() => runner.Started.Contains(id), TimeSpan.FromSeconds(30));
        Assert.True(await _store.RequestCancelAsync(id, CancellationToken.None));
        await WaitFinishedAsync([id], TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await worker;

        var deployment = await _store.GetAsync(id, CancellationToken.None);
        Assert.Equal(DeploymentState.Cancelled, deployment!.State);
        Assert.Equal(1, runner.Cancelled);
        var stats = await _queue.StatsAsync("production", CancellationToken.None);
        Assert.Equal((0, 0), (stats.Waiting, stats.InFlight));
        Assert.False(await _store.RequestCancelAsync(Guid.NewGuid(), CancellationToken.None));
    }

    private sealed class ThrowingRunner : IJobRunner
    {
        public Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken) =>
            Task.FromResult(new PreparedJob(job.Targets, (_, _) => throw new InvalidOperationException("the docker daemon is not reachable")));
    }

    private DeployWorker Worker(IJobRunner runner, IJobQueue? queue = null, IOptions<QueueOptions>? options = null, IDeploymentReporter? reporter = null) =>
        new(queue ?? _queue, _locks, runner, _store, options ?? _queueOptions, TimeProvider.System, NullLogger<DeployWorker>.Instance)
        {
            LockedRetryDelay = TimeSpan.FromMilliseconds(300),
            Reporter = reporter ?? new NoReporter(),
        };

    /// <summary>The reports the worker sends itself.</summary>
    private sealed class ReportList : IDeploymentReporter
    {
        public ConcurrentQueue<DeploymentReport> Reports { get; } = new();

        public void Report(DeploymentReport report) => Reports.Enqueue(report);

        public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private async Task<Guid> EnqueueAsync(string? target, JobPriority priority = JobPriority.Manual, string app = "app")
    {
        var job = new DeployJob
        {
            Id = Guid.NewGuid(),
            Environment = "production",
            Targets = target is null ? [] : [target],
            Priority = priority,
            TriggeredBy = "test",
            EnqueuedAt = DateTimeOffset.UtcNow,
        };
        await _store.AddAsync(new Deployment(job.Id, app, "production", StrategyKind.Rolling, "test", job.EnqueuedAt), CancellationToken.None);
        await _queue.EnqueueAsync(job, CancellationToken.None);
        return job.Id;
    }

    private async Task WaitFinishedAsync(IReadOnlyList<Guid> ids, TimeSpan limit)
    {
        var store = new EfDeploymentStore(_database);
        await WaitAsync(
            async () => (await Task.WhenAll(ids.Select(id => store.GetAsync(id, CancellationToken.None)))).All(d => d!.IsFinished),
            limit);
    }

    private static Task WaitAsync(Func<bool> done, TimeSpan limit) => WaitAsync(() => Task.FromResult(done()), limit);

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < until, $"not done within {limit}");
            await Task.Delay(100);
        }
    }

    /// <summary>Holds the job's target for a while, fencing before and after, and records when; then finishes the deployment.</summary>
    private sealed class RecordingRunner(IDeploymentStore store, TimeSpan hold) : IJobRunner
    {
        private int _cancelled;

        public ConcurrentBag<(string Target, DateTimeOffset Start, DateTimeOffset End)> Runs { get; } = [];

        public ConcurrentBag<Guid> Started { get; } = [];

        public int Cancelled => _cancelled;

        /// <summary>What a job without targets turns out to change (what a real runner reads from the app's configuration).</summary>
        public IReadOnlyList<string> Resolved { get; init; } = ["docker:resolved"];

        private int _prepared;
        private int _released;

        /// <summary>Preparations made and released: every one is released, whether its job ran or waited for a lock.</summary>
        public (int Prepared, int Released) Preparations => (_prepared, _released);

        public Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _prepared);
            return Task.FromResult(new PreparedJob(
                job.Targets.Count > 0 ? job.Targets : Resolved, (control, token) => RunAsync(job, control, token), new Release(() => Interlocked.Increment(ref _released))));
        }

        private async Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken)
        {
            var deployment = (await store.GetAsync(job.Id, CancellationToken.None))!;
            Assert.True(await control.FenceAsync(cancellationToken));
            var start = DateTimeOffset.UtcNow;
            Started.Add(job.Id);
            try
            {
                await Task.Delay(hold, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }

            Assert.True(await control.FenceAsync(cancellationToken));
            Runs.Add((job.Targets.Count > 0 ? job.Targets[0] : Resolved[0], start, DateTimeOffset.UtcNow));
            foreach (var state in new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded })
            {
                deployment.MoveTo(state, "test", DateTimeOffset.UtcNow);
            }

            await store.SaveAsync(deployment, CancellationToken.None);
            return deployment;
        }
    }

    private sealed class Release(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
