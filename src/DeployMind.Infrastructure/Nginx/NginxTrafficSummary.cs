using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>Turns access log entries into per-upstream figures for a time window.</summary>
internal static class NginxTrafficSummary
{
    /// <summary>
    /// Keeps the entries that ended in [<paramref name="from"/>, <paramref name="to"/>), groups them by the last upstream
    /// that handled them (requests no upstream saw are left out), and counts requests, 5xx answers (by the status the
    /// client got, so the router's own 502/504 count against that upstream), the p95 upstream response time and the
    /// response times binned (for comparing canary with stable).
    /// </summary>
    public static TrafficWindow Summarize(IEnumerable<NginxAccessLogEntry> entries, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byUpstream = entries
            .Where(e => e.Time >= from && e.Time < to && e.UpstreamAddress is not null)
            .GroupBy(e => e.UpstreamAddress!, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => new UpstreamStats(
                    g.Count(),
                    g.Count(e => e.Status >= 500),
                    Percentile.NearestRank(g.Where(e => e.UpstreamResponseMilliseconds is not null).Select(e => e.UpstreamResponseMilliseconds!.Value), 95))
                {
                    Latencies = LatencyHistogram.Of(g.Where(e => e.UpstreamResponseMilliseconds is not null).Select(e => e.UpstreamResponseMilliseconds!.Value)),
                },
                StringComparer.Ordinal);
        return new TrafficWindow(from, to, byUpstream);
    }
}
