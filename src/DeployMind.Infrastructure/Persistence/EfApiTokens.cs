using System.Security.Cryptography;
using System.Text;
using DeployMind.Application.Records;
using DeployMind.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// <see cref="IApiTokens"/> in the deployment database (table <c>api_tokens</c>): a token is "dm_" and 32 random bytes
/// (base64url); only its SHA-256 is stored, so a copy of the database does not give access to the API.
/// </summary>
internal sealed class EfApiTokens : IApiTokens, IDisposable
{
    private const string Prefix = "dm_";
    private readonly DeployMindDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly TimeProvider _time;

    public EfApiTokens(IOptions<DatabaseOptions> options, TimeProvider time)
        : this(new DeployMindDatabase((options ?? throw new ArgumentNullException(nameof(options))).Value), time, owns: true)
    {
    }

    /// <param name="database">The process's database (shared; not disposed with this unless <paramref name="owns"/>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="owns">Dispose the database with this.</param>
    internal EfApiTokens(DeployMindDatabase database, TimeProvider time, bool owns = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _ownsDatabase = owns;
        _time = time;
    }

    public async Task<string> CreateAsync(string name, ApiScope scope, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(scope))
        {
            throw new InvalidInputException($"'{scope}' is not a token scope: use read, deploy or admin.");
        }

        name = name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new InvalidInputException($"'{name}' is not a token name: use 1 to 64 letters, digits, '-', '_' or '.'.");
        }

        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        if (await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Name == name, cancellationToken) is { } existing)
        {
            // Names are never reused, so a name in a log, a record or a dashboard session always means one token.
            throw new InvalidInputException(existing.RevokedAtMs is null
                ? $"A token called '{name}' exists already; choose another name (or revoke it with `deploymind token revoke {name}` and name the new one differently)."
                : $"A token called '{name}' existed and was revoked; names are not reused (so logs and records keep meaning one token): choose another name.");
        }

        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        db.ApiTokens.Add(new ApiTokenRow { Name = name, Hash = Hash(token), CreatedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds(), Scope = scope.Name() });
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    public async Task<ApiTokenIdentity?> CheckAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 200)
        {
            return null;
        }

        // Looked up by hash: the comparison is of hashes in the database, so timing tells nothing about the token.
        var hash = Hash(token);
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var row = await db.ApiTokens.FirstOrDefaultAsync(t => t.Hash == hash && t.RevokedAtMs == null, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (row.LastUsedAtMs is null || now - row.LastUsedAtMs > 60_000)
        {
            // At most once a minute: busy clients do not turn every request into a write.
            row.LastUsedAtMs = now;
            await db.SaveChangesAsync(cancellationToken);
        }

        // An unknown value (a newer version's scope) gives the least: read.
        return new ApiTokenIdentity(row.Name, ApiScopes.Parse(row.Scope) ?? ApiScope.Read);
    }

    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return await db.ApiTokens.Where(t => t.Name == name && t.RevokedAtMs == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.RevokedAtMs, now), cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureReadyAsync(cancellationToken);
        await using var db = _database.CreateContext();
        var rows = await db.ApiTokens.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
        return [.. rows.Select(r => new ApiTokenInfo(r.Name, Time(r.CreatedAtMs), Time(r.LastUsedAtMs), Time(r.RevokedAtMs)) { Scope = ApiScopes.Parse(r.Scope) ?? ApiScope.Read })];
    }

    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? Time(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
