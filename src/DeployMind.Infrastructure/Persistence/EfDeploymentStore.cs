using System.Globalization;
using System.Runtime.CompilerServices;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <see cref="IDeploymentStore"/> on EF Core: a SQLite file by default (WAL, writers wait for each other up to
/// <c>database.busyTimeout</c>), PostgreSQL by connection string. The schema is created and migrated on first use.
/// Saves are optimistic: an update carries the version the aggregate had when it was read, and fails if another
/// writer moved it on since.
/// </summary>
internal sealed class EfDeploymentStore : IDeploymentStore, IDisposable
{
    private readonly DeployMindDatabase _database;
    private readonly bool _ownsDatabase;

    // What was last written or read for each aggregate this store handed out: the concurrency token and how many
    // timeline entries are already stored. Weak, so aggregates are not kept alive by the store.
    private readonly ConditionalWeakTable<Deployment, Persisted> _persisted = [];

    public EfDeploymentStore(IOptions<DatabaseOptions> options)
        : this(new DeployMindDatabase((options ?? throw new ArgumentNullException(nameof(options))).Value), owns: true)
    {
    }

    /// <param name="database">The process's database (shared; not disposed with this unless <paramref name="owns"/>).</param>
    /// <param name="owns">Dispose the database with this.</param>
    internal EfDeploymentStore(DeployMindDatabase database, bool owns = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _ownsDatabase = owns;
    }

    public string Description => _database.Description;

    /// <summary>The SQLite file, when that is the provider.</summary>
    public string? SqliteFile => _database.SqliteFile;

    public Task EnsureReadyAsync(CancellationToken cancellationToken) => _database.EnsureReadyAsync(cancellationToken);

    public async Task AddAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (!await TryAddAsync(deployment, cancellationToken))
        {
            throw new DeploymentExistsException(deployment.Id);
        }
    }

    /// <remarks>
    /// In the process's batched writes (a burst of webhooks costs one transaction per batch, not per delivery). Inside a
    /// batch nothing comes between the look and the insert on SQLite (the transaction holds the write lock); on
    /// PostgreSQL another server can, and its key then breaks ours: that too is "recorded already".
    /// </remarks>
    public async Task<bool> TryAddAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var row = ToRow(deployment);
        var events = EventRows(deployment, 0).ToList();
        bool added;
        try
        {
            added = await _database.WriteBatchedAsync(
                async batch =>
                {
                    if (await batch.ExistsAsync<DeploymentRow>(row.Id))
                    {
                        return false;
                    }

                    await batch.InsertAsync(row);
                    foreach (var e in events)
                    {
                        await batch.InsertAsync(e);
                    }

                    return true;
                },
                cancellationToken);
        }
        catch (Exception ex) when (DeployMindDatabase.IsUniqueViolation(ex))
        {
            return false;
        }

        if (added)
        {
            Remember(deployment);
        }

        return added;
    }

    public async Task SaveAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (!_persisted.TryGetValue(deployment, out var persisted))
        {
            throw new InvalidOperationException($"Deployment {deployment.Id} was neither added nor loaded through this store.");
        }

        if (persisted.Version == deployment.Version)
        {
            return;
        }

        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var entry = db.Deployments.Update(ToRow(deployment));
        entry.Property(r => r.Version).OriginalValue = persisted.Version;
        entry.Property(r => r.CancelRequestedAtMs).IsModified = false;
        try
        {
            // The versioned update first: when it loses the race, nothing else of this save is attempted.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException ex)
        {
            throw new ConcurrencyConflictException($"Deployment {deployment.Id} was changed by another process since it was read (expected version {persisted.Version}); reload it and try again.", ex);
        }

        db.Events.AddRange(EventRows(deployment, persisted.Events));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Remember(deployment);
    }

    public async Task<bool> RequestCancelAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var updated = await db.Deployments.Where(d => d.Id == key && d.CancelRequestedAtMs == null)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.CancelRequestedAtMs, now), cancellationToken);
        return updated > 0 || await db.Deployments.AnyAsync(d => d.Id == key, cancellationToken);
    }

    public async Task<bool> IsCancelRequestedAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        return await db.Deployments.AnyAsync(d => d.Id == key && d.CancelRequestedAtMs != null, cancellationToken);
    }

    public async Task<Deployment?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(id);
        var row = await db.Deployments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == key, cancellationToken);
        return row is null ? null : (await RestoreAsync(db, [row], cancellationToken))[0];
    }

    public async Task<IReadOnlyList<Deployment>> FindByPrefixAsync(string prefix, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        await EnsureReadyAsync(cancellationToken);
        var normalized = prefix.Trim().ToLowerInvariant();
        await using var db = CreateContext();
        var rows = await db.Deployments.AsNoTracking()
            .Where(d => d.Id.StartsWith(normalized))
            .OrderByDescending(d => d.CreatedAtMs)
            .Take(Math.Max(1, limit))
            .ToListAsync(cancellationToken);
        return await RestoreAsync(db, rows, cancellationToken);
    }

    public async Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        IQueryable<DeploymentRow> rows = db.Deployments.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.App))
        {
            rows = rows.Where(d => d.App == query.App);
        }

        if (!string.IsNullOrWhiteSpace(query.Repository))
        {
            rows = rows.Where(d => d.Repository == query.Repository);
        }

        if (!string.IsNullOrWhiteSpace(query.Environment))
        {
            rows = rows.Where(d => d.Environment == query.Environment);
        }

        if (query.State is { } state)
        {
            rows = rows.Where(d => d.State == state);
        }

        if (!string.IsNullOrWhiteSpace(query.Branch))
        {
            rows = rows.Where(d => d.Branch == query.Branch);
        }

        if (!string.IsNullOrWhiteSpace(query.TriggeredBy))
        {
            rows = rows.Where(d => d.TriggeredBy.StartsWith(query.TriggeredBy));
        }

        if (query.Before is { } before)
        {
            var ms = before.ToUnixTimeMilliseconds();
            rows = rows.Where(d => d.CreatedAtMs < ms);
        }

        var page = await rows.OrderByDescending(d => d.CreatedAtMs).ThenByDescending(d => d.Id).Take(Math.Max(1, query.Limit)).ToListAsync(cancellationToken);
        return await RestoreAsync(db, page, cancellationToken, query.WithTimeline);
    }

    public async Task<IReadOnlyList<Deployment>> ServingAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var candidates = db.Deployments.AsNoTracking().Where(d => d.PullRequest == null);
        var succeeded = candidates.Where(d => d.State == DeploymentState.Succeeded && (d.IsTeardown || d.ReleaseId != null));

        // The newest of each kind (release or removal) per app and environment: a grouped maximum joined back to its row.
        var newest = succeeded.GroupBy(d => new { d.App, d.Environment, d.IsTeardown }).Select(g => new { g.Key.App, g.Key.Environment, g.Key.IsTeardown, CreatedAtMs = g.Max(d => d.CreatedAtMs) });
        var live = await (from d in succeeded
                          join n in newest on new { d.App, d.Environment, d.IsTeardown, d.CreatedAtMs } equals new { n.App, n.Environment, n.IsTeardown, n.CreatedAtMs }
                          select d).ToListAsync(cancellationToken);
        var terminal = new[] { DeploymentState.Succeeded, DeploymentState.Failed, DeploymentState.RolledBack, DeploymentState.Cancelled, DeploymentState.Superseded };
        var running = await candidates.Where(d => !terminal.Contains(d.State)).ToListAsync(cancellationToken);
        var rows = live.Concat(running).DistinctBy(d => d.Id).OrderByDescending(d => d.CreatedAtMs).ToList();
        return await RestoreAsync(db, rows, cancellationToken, withTimeline: false);
    }

    public async Task<IReadOnlyList<RecordedApp>> AppsAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var deployments = db.Deployments.AsNoTracking().Where(d => d.PullRequest == null);
        var newest = deployments.GroupBy(d => new { d.App, d.Environment }).Select(g => new { g.Key.App, g.Key.Environment, CreatedAtMs = g.Max(d => d.CreatedAtMs) });
        var rows = await (from d in deployments
                          join n in newest on new { d.App, d.Environment, d.CreatedAtMs } equals new { n.App, n.Environment, n.CreatedAtMs }
                          select new { d.App, d.Environment, d.Repository }).ToListAsync(cancellationToken);
        return [.. rows.DistinctBy(r => (r.App, r.Environment)).Select(r => new RecordedApp(r.App, r.Environment, r.Repository)).OrderBy(r => r.App, StringComparer.Ordinal).ThenBy(r => r.Environment, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<RecordedRelease>> ReleasesAsync(string app, string environment, int limit, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var rows = await db.Deployments.AsNoTracking()
            .Where(d => d.App == app && d.Environment == environment && d.ReleaseId != null && !d.IsTeardown)
            .OrderByDescending(d => d.CreatedAtMs).ThenByDescending(d => d.Id)
            .Take(Math.Max(1, limit))
            .Select(d => new { d.ReleaseId, d.State, d.UpdatedAtMs })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new RecordedRelease(r.ReleaseId!, r.State, DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAtMs)))];
    }

    public async Task AppendLogAsync(Guid deploymentId, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        db.Logs.AddRange(entries.Select(e => new LogRow { DeploymentId = key, AtMs = e.At.ToUnixTimeMilliseconds(), Stage = e.Stage, Text = e.Text }));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<LogLine>> ReadLogAsync(Guid deploymentId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        var rows = await db.Logs.AsNoTracking()
            .Where(l => l.DeploymentId == key && l.Id > afterSequence)
            .OrderBy(l => l.Id)
            .Take(Math.Max(1, limit))
            .ToListAsync(cancellationToken);
        return [.. rows.Select(l => new LogLine(l.Id, DateTimeOffset.FromUnixTimeMilliseconds(l.AtMs), l.Stage, l.Text))];
    }

    public async Task SaveFindingsAsync(Guid deploymentId, string source, IReadOnlyList<RecordedFinding> findings, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        ArgumentNullException.ThrowIfNull(findings);
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = Key(deploymentId);
        await db.Findings.Where(f => f.DeploymentId == key && f.Source == source).ExecuteDeleteAsync(cancellationToken);
        db.Findings.AddRange(findings.Select(f => new FindingRow
        {
            DeploymentId = key,
            Source = source,
            RuleId = f.RuleId,
            Title = f.Title,
            Severity = f.Severity,
            Kind = f.Kind,
            File = f.File,
            Line = f.Line,
            Column = f.Column,
            RedactedExcerpt = f.RedactedExcerpt,
            Blocking = f.Blocking,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RecordedFinding>> GetFindingsAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        var rows = await db.Findings.AsNoTracking().Where(f => f.DeploymentId == key).OrderBy(f => f.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(f => new RecordedFinding(f.Source, f.RuleId, f.Title, f.Severity, f.Kind, f.File, f.Line, f.Column, f.RedactedExcerpt, f.Blocking))];
    }

    public async Task SaveExplanationsAsync(Guid deploymentId, IReadOnlyList<RecordedExplanation> explanations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(explanations);
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = Key(deploymentId);
        await db.Explanations.Where(x => x.DeploymentId == key).ExecuteDeleteAsync(cancellationToken);
        db.Explanations.AddRange(explanations.Select(x => new ExplanationRow
        {
            DeploymentId = key,
            Stage = Cut(x.Stage, 16),
            Agent = Cut(x.Agent, 64),
            Text = x.Text,
            Recommendations = string.Join('\n', x.Recommendations.Select(r => r.ReplaceLineEndings(" "))),
            Verdict = Cut(x.Verdict, 16),
            Model = Cut(x.Model, 128),
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RecordedExplanation>> GetExplanationsAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        var rows = await db.Explanations.AsNoTracking().Where(x => x.DeploymentId == key).OrderBy(x => x.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(x => new RecordedExplanation(x.Stage, x.Agent, x.Text, x.Recommendations.Length == 0 ? [] : x.Recommendations.Split('\n'), x.Verdict, x.Model))];
    }

    public async Task SaveCanaryStepsAsync(Guid deploymentId, IReadOnlyList<RecordedCanaryStep> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var key = Key(deploymentId);
        await db.CanarySteps.Where(x => x.DeploymentId == key).ExecuteDeleteAsync(cancellationToken);
        db.CanarySteps.AddRange(steps.Select(x => new CanaryStepRow
        {
            DeploymentId = key,
            Percent = x.Percent,
            Figures = System.Text.Json.JsonSerializer.Serialize(x, FiguresJson),
        }));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RecordedCanaryStep>> GetCanaryStepsAsync(Guid deploymentId, CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        await using var db = CreateContext();
        var key = Key(deploymentId);
        var rows = await db.CanarySteps.AsNoTracking().Where(x => x.DeploymentId == key).OrderBy(x => x.Id).ToListAsync(cancellationToken);
        return [.. rows.Select(x => System.Text.Json.JsonSerializer.Deserialize<RecordedCanaryStep>(x.Figures, FiguresJson)).OfType<RecordedCanaryStep>()];
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text[..length];

    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private static string Key(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private DeployMindDbContext CreateContext() => _database.CreateContext();

    private void Remember(Deployment deployment) =>
        _persisted.AddOrUpdate(deployment, new Persisted(deployment.Version, deployment.Events.Count));

    private async Task<IReadOnlyList<Deployment>> RestoreAsync(DeployMindDbContext db, List<DeploymentRow> rows, CancellationToken cancellationToken, bool withTimeline = true)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.Id).ToList();
        var events = !withTimeline ? new Dictionary<string, List<DeploymentEvent>>() : (await db.Events.AsNoTracking().Where(e => ids.Contains(e.DeploymentId)).ToListAsync(cancellationToken))
            .GroupBy(e => e.DeploymentId)
            .ToDictionary(g => g.Key, g => g.OrderBy(e => e.Sequence).Select(e => new DeploymentEvent(Time(e.AtMs), e.From, e.To, e.Detail)).ToList());
        var result = new List<Deployment>(rows.Count);
        foreach (var row in rows)
        {
            var deployment = Deployment.Restore(new DeploymentSnapshot(Guid.Parse(row.Id), row.App, row.Environment, row.Strategy, row.TriggeredBy, Time(row.CreatedAtMs))
            {
                UpdatedAt = Time(row.UpdatedAtMs),
                State = row.State,
                Version = row.Version,
                Repository = row.Repository,
                Branch = row.Branch,
                Commit = row.Commit,
                RollbackOf = row.RollbackOf is null ? null : Guid.Parse(row.RollbackOf),
                PullRequest = row.PullRequest,
                IsTeardown = row.IsTeardown,
                FailedStage = row.FailedStage,
                Reason = row.Reason,
                Target = row.Target,
                ReleaseId = row.ReleaseId,
                Url = row.Url,
                ListenPort = row.ListenPort,
                ImageTag = row.ImageTag,
                ImageSizeMb = row.ImageSizeMb,
                ImageBuilder = row.ImageBuilder,
                HealthChecksPassed = row.HealthChecksPassed,
                HealthChecksRequired = row.HealthChecksRequired,
                CanaryPercentReached = row.CanaryPercentReached,
                CanaryFigures = row.CanaryFigures is null ? null : System.Text.Json.JsonSerializer.Deserialize<CanaryFigures>(row.CanaryFigures, FiguresJson),
                Events = events.TryGetValue(row.Id, out var timeline) ? timeline : [],
            });
            if (withTimeline)
            {
                // Without its timeline it is for reading only: never remembered for a save.
                Remember(deployment);
            }

            result.Add(deployment);
        }

        return result;
    }

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DeploymentRow ToRow(Deployment d) => new()
    {
        Id = Key(d.Id),
        App = d.App,
        Environment = d.Environment,
        Strategy = d.Strategy,
        State = d.State,
        Version = d.Version,
        TriggeredBy = d.TriggeredBy,
        CreatedAtMs = d.CreatedAt.ToUnixTimeMilliseconds(),
        UpdatedAtMs = d.UpdatedAt.ToUnixTimeMilliseconds(),
        Repository = d.Repository,
        Branch = d.Branch,
        Commit = d.Commit,
        RollbackOf = d.RollbackOf is { } of ? Key(of) : null,
        PullRequest = d.PullRequest,
        IsTeardown = d.IsTeardown,
        FailedStage = d.FailedStage,
        Reason = d.Reason,
        Target = d.Target,
        ReleaseId = d.ReleaseId,
        Url = d.Url,
        ListenPort = d.ListenPort,
        ImageTag = d.ImageTag,
        ImageSizeMb = d.ImageSizeMb,
        ImageBuilder = d.ImageBuilder,
        HealthChecksPassed = d.HealthChecksPassed,
        HealthChecksRequired = d.HealthChecksRequired,
        CanaryPercentReached = d.CanaryPercentReached,
        CanaryFigures = d.CanaryFigures is null ? null : System.Text.Json.JsonSerializer.Serialize(d.CanaryFigures, FiguresJson),
    };

    /// <summary>How <see cref="CanaryFigures"/> is kept in its column: camelCase JSON, as the records and the API show it.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions FiguresJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static IEnumerable<EventRow> EventRows(Deployment d, int from) =>
        d.Events.Skip(from).Select((e, i) => new EventRow
        {
            DeploymentId = Key(d.Id),
            Sequence = from + i,
            AtMs = e.At.ToUnixTimeMilliseconds(),
            From = e.From,
            To = e.To,
            Detail = e.Detail,
        });

    private sealed record Persisted(int Version, int Events);
}
