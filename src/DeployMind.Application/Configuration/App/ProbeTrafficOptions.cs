using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Configuration;

/// <summary><c>canary.probeTraffic:</c>.</summary>
public sealed class ProbeTrafficOptions
{
    /// <summary>The path requested, starting with '/'.</summary>
    public string? Path { get; set; }

    /// <summary>Requests a second on each host; default 1.</summary>
    public double Rate { get; set; } = 1;

    /// <summary>Whether probe requests alone may pass a step; default false.</summary>
    public bool PassOnProbes { get; set; }

    public CanaryProbeTraffic ToProbeTraffic() =>
        Path is null
            ? throw new InvalidInputException("canary.probeTraffic.path is missing: say which path the probe requests get, e.g. probeTraffic: { path: /healthz, rate: 2 }.")
            : new CanaryProbeTraffic(Path, Rate, PassOnProbes);
}
