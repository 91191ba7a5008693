using DeployMind.Application.Configuration;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>Turns configured hosts into <see cref="DeployHost"/>s (runner, containers, nginx, probe, ports).</summary>
public interface IDeployHostFactory
{
    /// <summary>The host for <paramref name="options"/>; the same options give the same (reused) host.</summary>
    DeployHost Create(HostOptions options);
}
