using System.Collections.Concurrent;
using DeployMind.Application.Deploy;

namespace DeployMind.Server.Dashboard;

/// <summary>
/// Whether each app's live release runs, for the overview, without making a page wait on the hosts: a page gets the
/// last answer (or "checking…" the first time) and, when it is older than <see cref="MaxAge"/>, one check starts in the
/// background for the next page. A check that takes too long counts as "not answering".
/// </summary>
internal sealed partial class DashboardHealth(IServiceScopeFactory scopes, TimeProvider time, ILogger<DashboardHealth> logger) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<(string App, string? Release, string? Target), Entry> _entries = new();

    /// <summary>At most this many checks at once: an overview of many apps does not start a process per app at the same moment.</summary>
    private readonly SemaphoreSlim _checks = new(4);

    /// <summary>The last known health of the release (and a refresh started when that is stale).</summary>
    public string Of(string app, string? release, string? target)
    {
        var key = (app, release, target);
        var now = time.GetUtcNow();
        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = _entries.GetOrAdd(key, _ => new Entry("checking…", DateTimeOffset.MinValue));

            // A new release of the app replaces the old one's answer: the cache holds one entry per app and target, not one per release ever seen.
            foreach (var old in _entries.Keys.Where(k => k.App == app && k.Target == target && k.Release != release))
            {
                _entries.TryRemove(old, out _);
            }
        }

        if (now - entry.CheckedAt >= MaxAge && entry.TryStart())
        {
            _ = RefreshAsync(key, entry);
        }

        return entry.Health;
    }

    private async Task RefreshAsync((string App, string? Release, string? Target) key, Entry entry)
    {
        string health;
        await _checks.WaitAsync();
        try
        {
            using var timeout = new CancellationTokenSource(CheckTimeout);
            await using var scope = scopes.CreateAsyncScope();
            var apps = scope.ServiceProvider.GetRequiredService<AppLifecycle>();
            health = await apps.HealthAsync(key.App, key.Release, key.Target, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            health = "not answering (checked for 15 s)";
        }
        catch (Exception ex)
        {
            LogCheckFailed(logger, key.App, ex.Message);
            health = "not checked: " + ex.Message;
        }
        finally
        {
            _checks.Release();
        }

        _entries[key] = new Entry(health, time.GetUtcNow());
        entry.Finish();
    }

    public void Dispose() => _checks.Dispose();

    private sealed class Entry(string health, DateTimeOffset checkedAt)
    {
        private int _running;

        public string Health { get; } = health;

        public DateTimeOffset CheckedAt { get; } = checkedAt;

        public bool TryStart() => Interlocked.CompareExchange(ref _running, 1, 0) == 0;

        public void Finish() => Volatile.Write(ref _running, 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard: the health of {App} could not be checked: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string app, string reason);
}
