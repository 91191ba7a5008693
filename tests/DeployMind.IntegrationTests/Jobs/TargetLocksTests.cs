using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>The locks a CLI run takes (<see cref="TargetLocks"/>) and the reconciliation of runs whose process is gone, on the embedded lock and store.</summary>
public sealed class TargetLocksTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EfDeploymentStore _store;
    private readonly EmbeddedDeployLock _locks;
    private readonly TargetLocks _targetLocks;

    public TargetLocksTests()
    {
        var database = Options.Create(new DatabaseOptions { Path = Path.Combine(_folder.Path, "deploymind.db") });
        _store = new EfDeploymentStore(database);
        _locks = new EmbeddedDeployLock(database, TimeProvider.System);
        _targetLocks = new TargetLocks(_locks, Options.Create(new QueueOptions { LockTtl = "1s" }), TimeProvider.System, NullLogger<TargetLocks>.Instance)
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task Acquire_WhileAWorkerHoldsATarget_WaitsSayingWhoHoldsIt_ThenHoldsEveryTarget()
    {
        var worker = (await _locks.TryAcquireAsync("docker:b", "w1: deployment 1", TimeSpan.FromMinutes(1), CancellationToken.None))!;
        var heard = new List<string>();

        var acquiring = _targetLocks.AcquireAsync(["docker:b", "docker:a"], "cli:ops", TimeSpan.FromMinutes(1), heard.Add, CancellationToken.None);
        await Task.Delay(400);
        Assert.False(acquiring.IsCompleted);
        await _locks.ReleaseAsync(worker, CancellationToken.None);
        await using var held = await acquiring;

        Assert.Equal(["waiting for the lock of docker:b, held by w1: deployment 1"], heard);
        Assert.Equal(["docker:a", "docker:b"], held.Handles.Select(h => h.Target));
        Assert.True(held.Handles.Single(h => h.Target == "docker:b").Token > worker.Token);
        Assert.True(await held.FenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Acquire_HeldLongerThanTheWait_FailsNamingTheHolder_AndTakesNothing()
    {
        await _locks.TryAcquireAsync("docker:a", "w1: deployment 1", TimeSpan.FromMinutes(1), CancellationToken.None);

        var error = await Assert.ThrowsAsync<LockWaitTimeoutException>(
            () => _targetLocks.AcquireAsync(["docker:a"], "cli:ops", TimeSpan.FromMilliseconds(300), _ => { }, CancellationToken.None));

        Assert.Contains("held by w1: deployment 1", error.Message, StringComparison.Ordinal);
        Assert.Contains("deploymind lock status docker:a", error.Message, StringComparison.Ordinal);
        Assert.Equal("w1: deployment 1", (await _locks.GetAsync("docker:a", CancellationToken.None))!.Owner);
    }

    [Fact]
    public async Task HeldLocks_AreKeptPastTheirTtl_WhileTheRunLives_AndFreedWhenItEnds()
    {
        var held = (await _targetLocks.TryAcquireAsync(["docker:a"], "cli:ops", CancellationToken.None)).Held!;
        string? lost = null;
        held.KeepAlive(reason => lost = reason);

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // 2.5 TTLs
        Assert.Null((await _targetLocks.TryAcquireAsync(["docker:a"], "w1", CancellationToken.None)).Held);
        Assert.Equal("cli:ops", (await _locks.GetAsync("docker:a", CancellationToken.None))!.Owner);

        await held.DisposeAsync();
        Assert.Null(lost);
        Assert.Null(await _locks.GetAsync("docker:a", CancellationToken.None));
    }

    [Fact]
    public async Task Reconcile_ACliRunWhoseLockIsGone_EndsFailedInterrupted_ButNotALiveOne_NorAWorkersJob()
    {
        var dead = await RecordRunningAsync(TargetLocks.OwnerOf("cli:ops", Guid.NewGuid()), "docker:dead");
        var liveOwner = TargetLocks.OwnerOf("cli:ops", Guid.NewGuid());
        var live = await RecordRunningAsync(liveOwner, "docker:live");
        await _locks.TryAcquireAsync("docker:live", liveOwner, TimeSpan.FromMinutes(1), CancellationToken.None);
        var workers = await RecordRunningAsync("w1#1", "docker:queue"); // its job is the queue's to take over
        var reconciler = new InterruptedDeployments(_store, _locks, _targetLocks, new UnreachableHosts(), TimeProvider.System, NullLogger<InterruptedDeployments>.Instance);

        var ended = await reconciler.ReconcileAsync(CancellationToken.None);

        Assert.Equal([dead], ended.Select(d => d.Id));
        var recorded = (await _store.GetAsync(dead, CancellationToken.None))!;
        Assert.Equal((DeploymentState.Failed, PipelineStage.Deploy), (recorded.State, recorded.FailedStage));
        Assert.StartsWith("interrupted: the process that ran it (cli:ops@", recorded.Reason, StringComparison.Ordinal);
        Assert.Contains("stopped during deploying", recorded.Reason, StringComparison.Ordinal);
        Assert.Equal(DeploymentState.Deploying, (await _store.GetAsync(live, CancellationToken.None))!.State);
        Assert.Equal(DeploymentState.Deploying, (await _store.GetAsync(workers, CancellationToken.None))!.State);
        Assert.Empty(await reconciler.ReconcileAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ARunWhoseLockWasTakenOver_StopsAndRecordsNothingMore_NotEvenItsOwnFailure()
    {
        var held = (await _targetLocks.TryAcquireAsync(["docker:a"], "cli:stale", CancellationToken.None)).Held!;
        var deployment = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:ops", DateTimeOffset.UtcNow);
        using var stop = new CancellationTokenSource();
        var fence = new LockFence(held.FenceAsync, stop);
        var build = new Stage(PipelineStage.Build, async () =>
        {
            // While the stale run builds, its lock expires and another run takes the target (a newer fencing token acts).
            await _locks.ForceReleaseAsync("docker:a", CancellationToken.None);
            var newer = (await _locks.TryAcquireAsync("docker:a", "w1: deployment 2", TimeSpan.FromMinutes(1), CancellationToken.None))!;
            Assert.True(await _locks.CheckFenceAsync("docker:a", newer.Token, CancellationToken.None));
            return StageReport.Halted("the build failed");
        });
        var orchestrator = new PipelineOrchestrator(
            [new Stage(PipelineStage.Scan, () => Task.FromResult(StageReport.Passed("ok"))), build], Options.Create(new PipelineOptions()), TimeProvider.System, new NoLocations());
        var runner = new DeploymentRunner(orchestrator, _store, new NoReporter(), TimeProvider.System, NullLogger<DeploymentRunner>.Instance);

        await runner.RunAsync(new DeploymentRunner.Run(deployment, _folder.Path) { Fence = fence }, stop.Token);

        Assert.Equal(DeploymentState.Failed, deployment.State); // in the stale process's memory only
        Assert.Equal("a newer holder of a target exists (fencing token refused)", fence.LostReason);
        Assert.True(stop.IsCancellationRequested);
        var recorded = (await _store.GetAsync(deployment.Id, CancellationToken.None))!;
        Assert.Equal(DeploymentState.Building, recorded.State); // the newer holder owns what happens next
        await held.DisposeAsync();
    }

    private async Task<Guid> RecordRunningAsync(string owner, string target)
    {
        var now = DateTimeOffset.UtcNow;
        var deployment = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:ops", now);
        deployment.Note(LockNotes.Holding(new LockHandle(target, owner, 1, "n"), owner), now);
        await _store.AddAsync(deployment, CancellationToken.None);
        deployment.MoveTo(DeploymentState.Scanning, "scan", now);
        deployment.MoveTo(DeploymentState.Building, "build", now);
        deployment.MoveTo(DeploymentState.Deploying, "deploy", now);
        await _store.SaveAsync(deployment, CancellationToken.None);
        return deployment.Id;
    }

    private sealed class Stage(PipelineStage stage, Func<Task<StageReport>> run) : IPipelineStage
    {
        PipelineStage IPipelineStage.Stage => stage;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken) => run();
    }

    private sealed class NoLocations : Application.Configuration.IConfigurationLocator
    {
        public Application.Configuration.ConfigurationLocation? Locate(string key) => null;

        public IReadOnlyList<Application.Configuration.WrittenKey> WrittenKeys() => [];
    }

    /// <summary>The deployments here never started a release: nothing is cleaned up, so no host is ever created.</summary>
    private sealed class UnreachableHosts : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => throw new InvalidOperationException($"no host should be reached ({options.Name})");
    }
}
