using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Jobs;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <see cref="IJobQueue"/> on the deployment database (table <c>jobs</c>): the embedded default, so one machine needs no
/// Redis. Several processes may share it: every take, touch, ack, release and failure is one conditional UPDATE (or
/// DELETE) whose WHERE says what must still be true — the job is waiting, or it is held under this lease's nonce — and
/// the rows it changed tell whether it won. Take polls (every <see cref="PollInterval"/>) instead of holding a
/// connection.
/// </summary>
internal sealed class EmbeddedJobQueue : IJobQueue, IDisposable
{
    /// <summary>How often a waiting <see cref="TakeAsync"/> looks again.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long an acked job with an idempotency key is kept, so a late redelivery of the key adds nothing.</summary>
    public static readonly TimeSpan IdempotencyRetention = TimeSpan.FromDays(7);

    // Candidates looked at per attempt: more than one, so a take that loses a race tries the next job at once.
    private const int Candidates = 8;

    private readonly DeployMindDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;
    private readonly long _visibilityMs;
    private readonly int _maxDeliveries;
    private readonly QueueOptions _options;

    /// <exception cref="InvalidInputException">A setting is not valid.</exception>
    public EmbeddedJobQueue(IOptions<DatabaseOptions> database, IOptions<QueueOptions> queue, TimeProvider time)
        : this(new DeployMindDatabase((database ?? throw new ArgumentNullException(nameof(database))).Value), queue, time, owns: true)
    {
    }

    /// <param name="database">The process's database (shared; not disposed with this unless <paramref name="owns"/>).</param>
    /// <param name="queue">The queue's settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="owns">Dispose the database with this.</param>
    internal EmbeddedJobQueue(DeployMindDatabase database, IOptions<QueueOptions> queue, TimeProvider time, bool owns = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(time);
        var visibility = queue.Value.Visibility;
        if (visibility <= TimeSpan.Zero)
        {
            throw new InvalidInputException($"queue.visibilityTimeout: '{queue.Value.VisibilityTimeout}' must be longer than zero.");
        }

        if (queue.Value.MaxDeliveries < 1)
        {
            throw new InvalidInputException($"queue.maxDeliveries: {queue.Value.MaxDeliveries} must be at least 1.");
        }

        queue.Value.CheckRetryBackoff();
        _options = queue.Value;
        _visibilityMs = (long)visibility.TotalMilliseconds;
        _maxDeliveries = queue.Value.MaxDeliveries;
        _time = time;
        _database = database;
        _ownsDatabase = owns;
    }

    public async Task<EnqueueResult> EnqueueAsync(DeployJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrWhiteSpace(job.Environment);
        await _database.EnsureReadyAsync(cancellationToken);
        var payload = JsonSerializer.Serialize(job, JobPayloadJsonContext.Default.DeployJob);
        for (var attempt = 0; ; attempt++)
        {
            if (job.IdempotencyKey is { } key && await FindByKeyAsync(key, cancellationToken) is { } existing)
            {
                return new EnqueueResult(existing, Added: false);
            }

            // One INSERT on its own (no surrounding transaction: on PostgreSQL a failed statement would abort it). The
            // unique index on the key decides between two processes enqueueing the same key at once.
            await using var db = _database.CreateContext();
            db.Jobs.Add(new JobRow
            {
                JobId = Key(job.Id),
                Environment = job.Environment,
                Priority = job.Priority,
                IdempotencyKey = job.IdempotencyKey,
                Payload = payload,
                EnqueuedAtMs = NowMs(),
                State = JobState.Waiting,
                VisibleAtMs = 0,
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new EnqueueResult(job, Added: true);
            }
            catch (DbUpdateException ex) when (job.IdempotencyKey is not null && DeployMindDatabase.IsUniqueViolation(ex) && attempt < 3)
            {
                // Another process added the key first: the next round returns its job.
            }
        }
    }

    public async Task<JobLease?> TakeAsync(string environment, string consumer, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        await _database.EnsureReadyAsync(cancellationToken);
        var deadline = _time.GetUtcNow() + (wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
        while (true)
        {
            if (await TryTakeAsync(environment, consumer, cancellationToken) is { } lease)
            {
                return lease;
            }

            var remaining = deadline - _time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            await Task.Delay(remaining < PollInterval ? remaining : PollInterval, _time, cancellationToken);
        }
    }

    public async Task<bool> TouchAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var (id, nonce) = ParseToken(lease);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();
        var touched = await Held(db, id, nonce).ExecuteUpdateAsync(s => s.SetProperty(j => j.TouchedAtMs, now), cancellationToken);
        return touched == 1;
    }

    public async Task AckAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var (id, nonce) = ParseToken(lease);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();

        // A job without a key simply leaves; one with a key stays (done) so a redelivery of the key adds nothing.
        // A lease that was taken over matches neither: the job is the new holder's to ack.
        var deleted = await Held(db, id, nonce).Where(j => j.IdempotencyKey == null).ExecuteDeleteAsync(cancellationToken);
        if (deleted == 0)
        {
            await Held(db, id, nonce).ExecuteUpdateAsync(
                s => s
                    .SetProperty(j => j.State, JobState.Done)
                    .SetProperty(j => j.AckedAtMs, now)
                    .SetProperty(j => j.LeaseNonce, (string?)null)
                    .SetProperty(j => j.TouchedAtMs, (long?)null),
                cancellationToken);
        }

        var pruneBefore = now - (long)IdempotencyRetention.TotalMilliseconds;
        var environment = lease.Job.Environment;
        await db.Jobs
            .Where(j => j.Environment == environment && j.State == JobState.Done && j.AckedAtMs < pruneBefore)
            .ExecuteDeleteAsync(cancellationToken);
    }

    public async Task ReleaseAsync(JobLease lease, TimeSpan delay, string reason, CancellationToken cancellationToken)
    {
        var (id, nonce) = ParseToken(lease);
        await _database.EnsureReadyAsync(cancellationToken);
        var visibleAt = NowMs() + (long)Math.Max(0, delay.TotalMilliseconds);
        await using var db = _database.CreateContext();

        // Back to waiting, and the delivery it used is given back: a release is not a failure.
        await Held(db, id, nonce).ExecuteUpdateAsync(
            s => s
                .SetProperty(j => j.State, JobState.Waiting)
                .SetProperty(j => j.VisibleAtMs, visibleAt)
                .SetProperty(j => j.Deliveries, j => j.Deliveries - 1)
                .SetProperty(j => j.TakenBy, (string?)null)
                .SetProperty(j => j.TakenAtMs, (long?)null)
                .SetProperty(j => j.TouchedAtMs, (long?)null)
                .SetProperty(j => j.LeaseNonce, (string?)null),
            cancellationToken);
    }

    public async Task<bool> FailAsync(JobLease lease, string error, CancellationToken cancellationToken)
    {
        var (id, nonce) = ParseToken(lease);
        ArgumentNullException.ThrowIfNull(error);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        var max = _maxDeliveries;
        await using var db = _database.CreateContext();
        var dead = await Held(db, id, nonce)
            .Where(j => j.Deliveries >= max)
            .ExecuteUpdateAsync(s => DeadLetter(s, error, now), cancellationToken);
        if (dead == 1)
        {
            return true;
        }

        // Under the limit: waiting again after a backoff (queue.retryBackoff, doubling with each delivery).
        var visibleAt = now + (long)_options.RetryDelay(lease.Deliveries).TotalMilliseconds;
        await Held(db, id, nonce).ExecuteUpdateAsync(
            s => s
                .SetProperty(j => j.State, JobState.Waiting)
                .SetProperty(j => j.VisibleAtMs, visibleAt)
                .SetProperty(j => j.LastError, error)
                .SetProperty(j => j.TakenBy, (string?)null)
                .SetProperty(j => j.TakenAtMs, (long?)null)
                .SetProperty(j => j.TouchedAtMs, (long?)null)
                .SetProperty(j => j.LeaseNonce, (string?)null),
            cancellationToken);
        return false;
    }

    public async Task<QueueStats> StatsAsync(string environment, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();
        var counts = await db.Jobs.AsNoTracking()
            .Where(j => j.Environment == environment && j.State != JobState.Done)
            .GroupBy(j => j.State)
            .Select(g => new { State = g.Key, Count = g.LongCount() })
            .ToListAsync(cancellationToken);
        var oldest = await db.Jobs.AsNoTracking()
            .Where(j => j.Environment == environment && j.State == JobState.Waiting)
            .MinAsync(j => (long?)j.EnqueuedAtMs, cancellationToken);
        long Count(JobState state) => counts.Where(c => c.State == state).Sum(c => c.Count);
        return new QueueStats(
            environment,
            Count(JobState.Waiting),
            Count(JobState.Taken),
            Count(JobState.Dead),
            oldest is { } at ? TimeSpan.FromMilliseconds(Math.Max(0, now - at)) : null);
    }

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string environment, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var rows = await db.Jobs.AsNoTracking()
            .Where(j => j.Environment == environment && j.State == JobState.Dead)
            .OrderByDescending(j => j.DeadAtMs)
            .ThenByDescending(j => j.Id)
            .Take(Math.Max(1, limit))
            .Select(j => new { j.Payload, j.Deliveries, j.LastError, j.DeadAtMs })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new DeadLetter(Deserialize(r.Payload), r.Deliveries, r.LastError ?? string.Empty, DateTimeOffset.FromUnixTimeMilliseconds(r.DeadAtMs ?? 0)))];
    }

    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>The lease token: the row id and the nonce of this holding.</summary>
    internal static string Token(long id, string nonce) => string.Create(CultureInfo.InvariantCulture, $"{id}:{nonce}");

    private static (long Id, string Nonce) ParseToken(JobLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var separator = lease.Token.IndexOf(':', StringComparison.Ordinal);
        if (separator > 0
            && long.TryParse(lease.Token.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && separator < lease.Token.Length - 1)
        {
            return (id, lease.Token[(separator + 1)..]);
        }

        throw new ArgumentException($"'{lease.Token}' is not a lease of the embedded queue.", nameof(lease));
    }

    /// <summary>The job, if this holding still holds it.</summary>
    private static IQueryable<JobRow> Held(DeployMindDbContext db, long id, string nonce) =>
        db.Jobs.Where(j => j.Id == id && j.State == JobState.Taken && j.LeaseNonce == nonce);

    private static void DeadLetter(UpdateSettersBuilder<JobRow> s, string error, long now) => s
        .SetProperty(j => j.State, JobState.Dead)
        .SetProperty(j => j.LastError, error)
        .SetProperty(j => j.DeadAtMs, now)
        .SetProperty(j => j.TouchedAtMs, (long?)null)
        .SetProperty(j => j.LeaseNonce, (string?)null);

    private static string Key(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private static string NewNonce() => Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);

    private static DeployJob Deserialize(string payload) =>
        JsonSerializer.Deserialize(payload, JobPayloadJsonContext.Default.DeployJob)
        ?? throw new InvalidOperationException("A job's payload in the queue is empty.");

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<DeployJob?> FindByKeyAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        var payload = await db.Jobs.AsNoTracking().Where(j => j.IdempotencyKey == key).Select(j => j.Payload).FirstOrDefaultAsync(cancellationToken);
        return payload is null ? null : Deserialize(payload);
    }

    /// <summary>One look at the queue: a job abandoned by its worker first, then waiting ones (manual first, then in enqueue order).</summary>
    private async Task<JobLease?> TryTakeAsync(string environment, string consumer, CancellationToken cancellationToken)
    {
        var now = NowMs();
        var idleBefore = now - _visibilityMs;
        await using var db = _database.CreateContext();
        var abandoned = await db.Jobs.AsNoTracking()
            .Where(j => j.Environment == environment && j.State == JobState.Taken && j.TouchedAtMs <= idleBefore)
            .OrderBy(j => j.Priority)
            .ThenBy(j => j.Id)
            .Select(j => j.Id)
            .Take(Candidates)
            .ToListAsync(cancellationToken);

        // Even past the delivery limit (its workers keep dying on it): the worker that takes it sees the count, fails it
        // into the dead letters and records its deployment failed, instead of running it again.
        foreach (var id in abandoned)
        {
            if (await TryClaimAsync(db, id, consumer, now, idleBefore, cancellationToken) is { } lease)
            {
                return lease;
            }
        }

        var waiting = await db.Jobs.AsNoTracking()
            .Where(j => j.Environment == environment && j.State == JobState.Waiting && j.VisibleAtMs <= now)
            .OrderBy(j => j.Priority)
            .ThenBy(j => j.Id)
            .Select(j => j.Id)
            .Take(Candidates)
            .ToListAsync(cancellationToken);
        foreach (var id in waiting)
        {
            if (await TryClaimAsync(db, id, consumer, now, idleBefore, cancellationToken) is { } lease)
            {
                return lease;
            }
        }

        return null;
    }

    /// <summary>
    /// Takes job <paramref name="id"/> if it is still takeable — waiting and visible, or taken but idle past the
    /// visibility timeout — in one UPDATE: of several processes racing for it, exactly one changes the row.
    /// </summary>
    private static async Task<JobLease?> TryClaimAsync(DeployMindDbContext db, long id, string consumer, long now, long idleBefore, CancellationToken cancellationToken)
    {
        var nonce = NewNonce();
        var claimed = await db.Jobs
            .Where(j => j.Id == id
                && ((j.State == JobState.Waiting && j.VisibleAtMs <= now)
                    || (j.State == JobState.Taken && j.TouchedAtMs <= idleBefore)))
            .ExecuteUpdateAsync(
                s => s
                    .SetProperty(j => j.State, JobState.Taken)
                    .SetProperty(j => j.TakenBy, consumer)
                    .SetProperty(j => j.TakenAtMs, now)
                    .SetProperty(j => j.TouchedAtMs, now)
                    .SetProperty(j => j.LeaseNonce, nonce)
                    .SetProperty(j => j.Deliveries, j => j.Deliveries + 1),
                cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        var row = await db.Jobs.AsNoTracking()
            .Where(j => j.Id == id && j.LeaseNonce == nonce)
            .Select(j => new { j.Payload, j.Deliveries })
            .FirstOrDefaultAsync(cancellationToken);

        // Null only if it was taken over again in between (a whole visibility timeout): not ours any more.
        return row is null ? null : new JobLease(Deserialize(row.Payload), consumer, Token(id, nonce), row.Deliveries);
    }
}
