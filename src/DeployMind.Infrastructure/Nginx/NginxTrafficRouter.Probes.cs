using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>Canary probe traffic: its requests are logged apart (<see cref="NginxLayout.ProbeLogPath"/>) and read from there.</summary>
internal sealed partial class NginxTrafficRouter
{
    public async Task<TrafficWindow> ReadProbeTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        NginxRouteValidator.ValidateApp(app);
        var layout = await GetLayoutAsync(cancellationToken);
        if (to <= from)
        {
            return new TrafficWindow(from, to, new Dictionary<string, UpstreamStats>());
        }

        // Probe requests are few (at most canary.probeTraffic.rate a second, only during steps): the log's end holds the window.
        var result = await RunAsync(NginxCommands.Tail(layout.ProbeLogPath(app), _options.TrafficLogTailBytes), cancellationToken);
        if (IsMissingFile(result))
        {
            return new TrafficWindow(from, to, new Dictionary<string, UpstreamStats>());
        }

        result.EnsureSuccess();
        return NginxTrafficSummary.Summarize(NginxAccessLogParser.Parse(result.StandardOutput), from, to);
    }
}
