using System.Globalization;

namespace DeployMind.Domain.Deploy;

/// <summary>
/// Synthetic requests for a quiet app during canary steps (<c>canary.probeTraffic</c>): GETs of <see cref="Path"/> at
/// <see cref="RatePerSecond"/> through the app's nginx on each host (so they split by the step's weights like users'
/// requests), marked so that the router counts them apart. They can fail a step; they pass one on their own only with
/// <see cref="PassOnProbes"/>.
/// </summary>
public sealed record CanaryProbeTraffic
{
    /// <summary>The fewest requests a second (one every 10 s).</summary>
    public const double MinRate = 0.1;

    /// <summary>The most requests a second, per host (a remote host's requests are made on the host, one command each).</summary>
    public const double MaxRate = 20;

    public CanaryProbeTraffic(string path, double ratePerSecond, bool passOnProbes = false)
    {
        if (string.IsNullOrWhiteSpace(path) || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal) || path.Length > 2048
            || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '#' or '\\'))
        {
            throw new InvalidInputException(
                $"canary.probeTraffic.path '{path}' must be a path on the app that starts with '/' (e.g. /healthz or /api/ping?probe=1), without spaces, '#' or '\\'; the requests go to the host's own nginx only.");
        }

        if (double.IsNaN(ratePerSecond) || ratePerSecond is < MinRate or > MaxRate)
        {
            throw new InvalidInputException(string.Create(
                CultureInfo.InvariantCulture,
                $"canary.probeTraffic.rate {ratePerSecond} must be between {MinRate} and {MaxRate} requests a second on each host (e.g. 2)."));
        }

        (Path, RatePerSecond, PassOnProbes) = (path, ratePerSecond, passOnProbes);
    }

    /// <summary>The path requested, with its query if any.</summary>
    public string Path { get; }

    /// <summary>Requests a second on each host.</summary>
    public double RatePerSecond { get; }

    /// <summary>Whether probe requests alone may pass a step (default false: they can fail it, and only users' requests pass it).</summary>
    public bool PassOnProbes { get; }

    /// <summary>The most requests one run of a step of <paramref name="step"/> sends on a host: the rate times the step, rounded up.</summary>
    public int MaxRequests(TimeSpan step) => (int)Math.Min(int.MaxValue, Math.Ceiling(RatePerSecond * step.TotalSeconds));
}
