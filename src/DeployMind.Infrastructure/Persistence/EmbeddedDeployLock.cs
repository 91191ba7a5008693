using System.Globalization;
using DeployMind.Application.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <see cref="IDeployLock"/> on the deployment database (tables <c>locks</c>, <c>lock_counters</c>, <c>fences</c>): the
/// embedded default. A lock is a row that is free once past its expiry; acquiring takes the next token of the target's
/// counter and writes the row in one transaction, so tokens only grow and two holders never overlap. Extend and release
/// are one conditional statement each, on the holding's nonce and the lease not having run out.
/// </summary>
internal sealed class EmbeddedDeployLock : IDeployLock, IDisposable
{
    private readonly DeployMindDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;

    public EmbeddedDeployLock(IOptions<DatabaseOptions> database, TimeProvider time)
        : this(new DeployMindDatabase((database ?? throw new ArgumentNullException(nameof(database))).Value), time, owns: true)
    {
    }

    /// <param name="database">The process's database (shared; not disposed with this unless <paramref name="owns"/>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="owns">Dispose the database with this.</param>
    internal EmbeddedDeployLock(DeployMindDatabase database, TimeProvider time, bool owns = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _database = database;
        _ownsDatabase = owns;
    }

    public async Task<LockHandle?> TryAcquireAsync(string target, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await _database.EnsureReadyAsync(cancellationToken);
        await EnsureCounterAsync(target, cancellationToken);

        var nonce = Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture);
        await using var db = _database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        // The counter's row is written first: on PostgreSQL its row lock makes acquirers of one target take turns until
        // commit; SQLite's write transaction does the same for the whole file. Rolled back (the token unused) when the
        // lock is held.
        var counted = await db.LockCounters.Where(c => c.Target == target)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastToken, c => c.LastToken + 1), cancellationToken);
        if (counted != 1)
        {
            throw new InvalidOperationException($"The lock counter of '{target}' is missing.");
        }

        var token = await db.LockCounters.Where(c => c.Target == target).Select(c => c.LastToken).SingleAsync(cancellationToken);
        var now = NowMs();
        var expiresAt = now + Milliseconds(ttl);
        var takenOver = await db.Locks
            .Where(l => l.Target == target && l.ExpiresAtMs <= now)
            .ExecuteUpdateAsync(
                s => s
                    .SetProperty(l => l.Owner, owner)
                    .SetProperty(l => l.Token, token)
                    .SetProperty(l => l.Nonce, nonce)
                    .SetProperty(l => l.ExpiresAtMs, expiresAt),
                cancellationToken);
        if (takenOver == 0)
        {
            db.Locks.Add(new LockRow { Target = target, Owner = owner, Token = token, Nonce = nonce, ExpiresAtMs = expiresAt });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException ex) when (DeployMindDatabase.IsUniqueViolation(ex))
            {
                // A live lock is there: held by someone else. Disposing the transaction rolls the counter back.
                return null;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return new LockHandle(target, owner, token, nonce);
    }

    public async Task<bool> ExtendAsync(LockHandle handle, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        var expiresAt = now + Milliseconds(ttl);
        await using var db = _database.CreateContext();
        var extended = await Held(db, handle, now).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAtMs, expiresAt), cancellationToken);
        return extended == 1;
    }

    public async Task<bool> ReleaseAsync(LockHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();
        return await Held(db, handle, now).ExecuteDeleteAsync(cancellationToken) == 1;
    }

    public async Task<LockInfo?> GetAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();
        var row = await db.Locks.AsNoTracking().FirstOrDefaultAsync(l => l.Target == target && l.ExpiresAtMs > now, cancellationToken);
        return row is null ? null : new LockInfo(row.Target, row.Owner, row.Token, DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAtMs));
    }

    public async Task<bool> ForceReleaseAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        await _database.EnsureReadyAsync(cancellationToken);
        var now = NowMs();
        await using var db = _database.CreateContext();

        // An expired row is a free lock already: it is left for the next acquire to overwrite.
        return await db.Locks.Where(l => l.Target == target && l.ExpiresAtMs > now).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<bool> CheckFenceAsync(string target, long token, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        await _database.EnsureReadyAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            await using var db = _database.CreateContext();
            var recorded = await db.Fences
                .Where(f => f.Target == target && f.Token <= token)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.Token, token), cancellationToken);
            if (recorded == 1)
            {
                return true;
            }

            if (await db.Fences.AnyAsync(f => f.Target == target, cancellationToken))
            {
                // A newer token was seen on the target.
                return false;
            }

            db.Fences.Add(new FenceRow { Target = target, Token = token });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (DbUpdateException ex) when (DeployMindDatabase.IsUniqueViolation(ex) && attempt < 3)
            {
                // Another step recorded the target's first token at the same moment: compare with it.
            }
        }
    }

    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>The lock, if this holding still holds it and its lease has not run out.</summary>
    private static IQueryable<LockRow> Held(DeployMindDbContext db, LockHandle handle, long now) =>
        db.Locks.Where(l => l.Target == handle.Target && l.Nonce == handle.Nonce && l.ExpiresAtMs > now);

    private static long Milliseconds(TimeSpan ttl) => (long)Math.Ceiling(ttl.TotalMilliseconds);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates the target's token counter the first time it is locked (on its own: a lost race is no error).</summary>
    private async Task EnsureCounterAsync(string target, CancellationToken cancellationToken)
    {
        await using var db = _database.CreateContext();
        if (await db.LockCounters.AnyAsync(c => c.Target == target, cancellationToken))
        {
            return;
        }

        db.LockCounters.Add(new LockCounterRow { Target = target, LastToken = 0 });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (DeployMindDatabase.IsUniqueViolation(ex))
        {
            // Another process created it first.
        }
    }
}
