using DeployMind.Domain;
using DeployMind.Domain.Hosts;

namespace DeployMind.Application.Configuration;

/// <summary>One host: this machine (no ssh), an SSH host, or EC2 instances through AWS SSM (<see cref="Ssm"/>).</summary>
public sealed class HostOptions
{
    public string Name { get; set; } = "local";

    /// <summary><c>user@host</c> or <c>ssh://user@host:port</c>; empty for this machine.</summary>
    public string? Ssh { get; set; }

    /// <summary>Private key file for SSH (default ~/.ssh/id_ed25519, then id_rsa).</summary>
    public string? Key { get; set; }

    /// <summary>known_hosts file (default ~/.ssh/known_hosts).</summary>
    public string? KnownHosts { get; set; }

    /// <summary>Refuse hosts whose key is not in known_hosts (default). false is an explicit opt-out.</summary>
    public bool StrictHostKeyChecking { get; set; } = true;

    /// <summary>An EC2 instance (or instances found by tags) reached through AWS Systems Manager instead of SSH; see <see cref="SsmHostOptions"/>.</summary>
    public SsmHostOptions? Ssm { get; set; }

    /// <summary>How the host is reached, parsed: this machine when <see cref="Ssh"/> is empty (or <c>local</c>), else its address.</summary>
    /// <exception cref="InvalidInputException">The address is malformed; the message says why (the caller names the key).</exception>
    public HostAddress ParseAddress() => Ssm is not null ? Ssm.ParseInstance() : HostAddress.Parse(Ssh);
}
