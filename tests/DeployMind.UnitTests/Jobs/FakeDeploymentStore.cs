using System.Runtime.CompilerServices;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Jobs;

/// <summary>
/// <see cref="IDeploymentStore"/> in memory, keeping what the intake relies on: every read is a copy, a second add of an id
/// fails, and a save of a copy someone else saved since fails with <see cref="ConcurrencyConflictException"/>.
/// </summary>
internal sealed class FakeDeploymentStore : IDeploymentStore
{
    private readonly Dictionary<Guid, DeploymentSnapshot> _rows = [];
    private readonly HashSet<Guid> _cancelRequested = [];
    private readonly ConditionalWeakTable<Deployment, StrongBox<int>> _loaded = [];
    private readonly Lock _gate = new();

    /// <summary>When set, every call fails with it (the database is down).</summary>
    public Exception? Unreachable { get; set; }

    /// <summary>Runs once, before the next add (another request records the same id meanwhile).</summary>
    public Func<Task>? BeforeNextAdd { get; set; }

    /// <summary>Runs once, before the next save is checked (another process changes the deployment meanwhile).</summary>
    public Func<Task>? BeforeNextSave { get; set; }

    public int Adds { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _rows.Count;
            }
        }
    }

    public string Description => "memory";

    public async Task AddAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (!await TryAddAsync(deployment, cancellationToken))
        {
            throw new DeploymentExistsException(deployment.Id);
        }
    }

    public async Task<bool> TryAddAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        await RunOnceAsync(BeforeNextAdd, () => BeforeNextAdd = null);
        lock (_gate)
        {
            if (!_rows.TryAdd(deployment.Id, deployment.Snapshot()))
            {
                return false;
            }

            Adds++;
            Track(deployment);
            return true;
        }
    }

    public async Task SaveAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        await RunOnceAsync(BeforeNextSave, () => BeforeNextSave = null);
        lock (_gate)
        {
            if (!_loaded.TryGetValue(deployment, out var loaded))
            {
                throw new InvalidOperationException($"Deployment {deployment.Id} was neither added nor loaded through this store.");
            }

            if (_rows[deployment.Id].Version != loaded.Value)
            {
                throw new ConcurrencyConflictException(deployment.Id, loaded.Value);
            }

            _rows[deployment.Id] = deployment.Snapshot();
            Track(deployment);
        }
    }

    public Task<Deployment?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_gate)
        {
            if (!_rows.TryGetValue(id, out var row))
            {
                return Task.FromResult<Deployment?>(null);
            }

            var copy = Deployment.Restore(row);
            Track(copy);
            return Task.FromResult<Deployment?>(copy);
        }
    }

    public Task<bool> RequestCancelAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_gate)
        {
            if (!_rows.ContainsKey(deploymentId))
            {
                return Task.FromResult(false);
            }

            _cancelRequested.Add(deploymentId);
            return Task.FromResult(true);
        }
    }

    public Task<bool> IsCancelRequestedAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_cancelRequested.Contains(deploymentId));
        }
    }

    public Task<IReadOnlyList<Deployment>> FindByPrefixAsync(string prefix, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ThrowIfUnreachable();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Deployment>>([.. _rows.Values.Select(Deployment.Restore)
                .Where(d => (query.App is null || d.App == query.App) && (query.Environment is null || d.Environment == query.Environment)
                    && (query.State is null || d.State == query.State) && (query.Before is null || d.CreatedAt < query.Before)
                    && (query.Branch is null || d.Branch == query.Branch) && (query.TriggeredBy is null || d.TriggeredBy.StartsWith(query.TriggeredBy, StringComparison.Ordinal)))
                .OrderByDescending(d => d.CreatedAt).Take(query.Limit)]);
        }
    }

    public Task<IReadOnlyList<Deployment>> ServingAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecordedApp>> AppsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecordedRelease>> ReleasesAsync(string app, string environment, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>Every log line appended, with its deployment.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<(Guid Id, LogEntry Entry)> Log { get; } = new();

    public Task AppendLogAsync(Guid deploymentId, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            Log.Enqueue((deploymentId, entry));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<LogLine>> ReadLogAsync(Guid deploymentId, long afterSequence, int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SaveFindingsAsync(Guid deploymentId, string source, IReadOnlyList<RecordedFinding> findings, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecordedFinding>> GetFindingsAsync(Guid deploymentId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task EnsureReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task SaveExplanationsAsync(Guid deploymentId, IReadOnlyList<RecordedExplanation> explanations, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecordedExplanation>> GetExplanationsAsync(Guid deploymentId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task SaveCanaryStepsAsync(Guid deploymentId, IReadOnlyList<RecordedCanaryStep> steps, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<RecordedCanaryStep>> GetCanaryStepsAsync(Guid deploymentId, CancellationToken cancellationToken) => throw new NotSupportedException();

    private static async Task RunOnceAsync(Func<Task>? hook, Action clear)
    {
        clear();
        if (hook is not null)
        {
            await hook();
        }
    }

    private void Track(Deployment deployment) => _loaded.AddOrUpdate(deployment, new StrongBox<int>(deployment.Version));

    private void ThrowIfUnreachable()
    {
        if (Unreachable is { } unreachable)
        {
            throw unreachable;
        }
    }
}
