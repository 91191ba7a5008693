using System.Globalization;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Paces the progress lines of a watched window (a canary step, a blue-green observation window) so that a step of
/// minutes is not minutes of silence, nor a line per health check: a report is due at the first check at least a tenth
/// of the window (5 to 30 s) after the previous one, and never at or after the window's end (the verdict says that).
/// </summary>
internal sealed class StepProgress
{
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly DateTimeOffset _until;
    private readonly TimeSpan _period;
    private DateTimeOffset _last;

    public StepProgress(TimeProvider time, DateTimeOffset from, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _until = until;
        _last = from;
        _period = Period(until - from);
    }

    /// <summary>A tenth of the window, at least 5 s and at most 30 s: 6 reports in a 30 s step, 10 in a 5 min one.</summary>
    public static TimeSpan Period(TimeSpan window)
    {
        var tenth = window / 10;
        return tenth < Shortest ? Shortest : tenth > Longest ? Longest : tenth;
    }

    /// <summary>The time left in the window ("18s left") when a report is due now, else null.</summary>
    public string? Due()
    {
        var now = _time.GetUtcNow();
        if (now >= _until || now - _last < _period)
        {
            return null;
        }

        _last = now;
        var left = (int)Math.Ceiling((_until - now).TotalSeconds);
        return left < 60
            ? string.Create(CultureInfo.InvariantCulture, $"{left}s left")
            : string.Create(CultureInfo.InvariantCulture, $"{left / 60}m {left % 60:00}s left");
    }

    /// <summary>
    /// The judged window so far: "12/50 requests, 0 errors, p95 40 ms", then while the comparisons are undecided what
    /// they still need ("need 412 more canary requests, about 3m").
    /// </summary>
    public static string Figures(CanaryStepResult judged, int? minRequests)
    {
        ArgumentNullException.ThrowIfNull(judged);
        var figures = Figures(judged.Canary, minRequests);
        return judged is { Verdict: CanaryVerdict.InsufficientData, Decision: { } d }
            ? figures + CanaryAnalysis.Waiting(d.CanaryRequestsNeeded, d.Eta).Replace("; ", ", ", StringComparison.Ordinal)
            : figures;
    }

    /// <summary>"12/50 requests, 0 errors, p95 40 ms" (with no minimum: "12 requests, …").</summary>
    public static string Figures(UpstreamStats stats, int? minRequests)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var requests = minRequests is { } min ? $"{stats.Requests}/{min}" : $"{stats.Requests}";
        return string.Create(CultureInfo.InvariantCulture, $"{requests} requests, {stats.ServerErrors} errors, p95 {stats.P95Milliseconds:0} ms");
    }
}
