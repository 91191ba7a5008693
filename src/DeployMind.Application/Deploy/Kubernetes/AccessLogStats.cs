using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>Requests, 5xx and p95 latency counted from access-log lines with a pattern that has a <c>status</c> (and optionally an <c>ms</c>) group.</summary>
internal static class AccessLogStats
{
    public static UpstreamStats Count(IEnumerable<string> lines, Regex pattern)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(pattern);
        var (requests, errors) = (0, 0);
        var latencies = new List<double>();
        foreach (var line in lines)
        {
            var match = pattern.Match(line);
            if (!match.Success || !int.TryParse(match.Groups["status"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var status) || status is < 100 or > 599)
            {
                continue;
            }

            requests++;
            errors += status >= 500 ? 1 : 0;
            if (match.Groups["ms"] is { Success: true } ms && double.TryParse(ms.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var latency))
            {
                latencies.Add(latency);
            }
        }

        return new UpstreamStats(requests, errors, Percentile.NearestRank(latencies, 95)) { Latencies = latencies.Count > 0 ? LatencyHistogram.Of(latencies) : null };
    }
}
