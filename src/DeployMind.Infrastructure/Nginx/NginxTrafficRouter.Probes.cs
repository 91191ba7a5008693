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

        // The same incremental reading as users' requests, from the probe log (a missing log reads as empty).
        return await ReadWindowAsync(layout.ProbeLogPath(app), app, from, to, cancellationToken);
    }
}
