using DeployMind.Application.Configuration;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>Turns configured hosts into <see cref="DeployHost"/>s (runner, containers, nginx, probe, ports).</summary>
public interface IDeployHostFactory
{
    /// <summary>The host for <paramref name="options"/>; the same options give the same (reused) host.</summary>
    DeployHost Create(HostOptions options);

    /// <summary>
    /// The hosts a configured entry stands for: itself, or for an entry that discovers EC2 instances by tags
    /// (<see cref="SsmHostOptions.Tags"/>) one host per running instance whose SSM agent is online, named
    /// <c>&lt;entry name&gt;:&lt;instance id&gt;</c>, found once per factory (a deploy job's scope) and reused after.
    /// </summary>
    /// <exception cref="Domain.InvalidInputException">No instance matches (the message names the tags), or the entry is malformed.</exception>
    IReadOnlyList<DeployHost> CreateAll(HostOptions options) => [Create(options)];
}
