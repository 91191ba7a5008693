using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// Sends a canary step's probe traffic on one host (<c>canary.probeTraffic</c>): GETs of the path through the app's own
/// nginx on the host (http://127.0.0.1:listenPort, made on the host itself by its <see cref="IHttpProbe"/>), so they split
/// by the step's weights like users' requests, each marked with the deployment's <see cref="RouteSpec.ProbeMarker"/> so
/// that nginx logs them apart. One request at a time, paced at the rate (a slow answer lowers the rate, never piles up
/// requests), at most <see cref="CanaryProbeTraffic.MaxRequests"/> for the step, until the step ends or the deploy is
/// cancelled. An app served by domain is probed as its users reach it (<see cref="HostNameOf"/>): with its first domain as
/// Host, and nginx tells it the scheme its users' requests come with (https once its site serves HTTPS), so an app that
/// checks its host name or sends plain HTTP to HTTPS answers probes as it answers users.
/// </summary>
internal static class ProbeTrafficSender
{
    /// <summary>The longest a probe request may take (or the health check's timeout, if shorter).</summary>
    private static readonly TimeSpan LongestRequest = TimeSpan.FromSeconds(5);

    /// <summary>Sends until <paramref name="cancellationToken"/> (the step's end) or the bound; returns how many were sent.</summary>
    public static async Task<int> SendAsync(
        DeployHost host, DeployRequest request, CanaryProbeTraffic probes, string marker, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(time);
        var url = Url(request.ListenPort, probes.Path);
        var header = new KeyValuePair<string, string>(RouteSpec.ProbeHeader, marker);
        var timeout = request.Health.Timeout < LongestRequest ? request.Health.Timeout : LongestRequest;
        var interval = TimeSpan.FromSeconds(1 / probes.RatePerSecond);
        var max = probes.MaxRequests(request.Canary.StepDuration);
        var sent = 0;
        var next = time.GetUtcNow();
        try
        {
            while (sent < max && !cancellationToken.IsCancellationRequested)
            {
                // Its answer does not matter here: nginx logs it, and the judge reads the log.
                await host.Probe.GetMarkedAsync(url, HostNameOf(request), header, timeout, cancellationToken);
                sent++;
                next += interval;
                var now = time.GetUtcNow();
                if (next > now)
                {
                    await Task.Delay(next - now, time, cancellationToken);
                }
                else
                {
                    next = now;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The step ended or the deploy was cancelled: no more requests.
        }

        return sent;
    }

    /// <summary>The Host the probes name: a preview's server name, else the app's first domain, else none (the address).</summary>
    internal static string? HostNameOf(DeployRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.ServerName ?? (request.Domains.Count > 0 ? request.Domains[0] : null);
    }

    /// <summary>http://127.0.0.1:port/path — the host's own nginx, never anything else.</summary>
    internal static Uri Url(int listenPort, string path) => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{listenPort}{path}"));
}
