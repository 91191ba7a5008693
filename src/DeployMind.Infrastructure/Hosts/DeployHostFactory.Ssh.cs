using DeployMind.Application.Deploy;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Hosts;

internal sealed partial class DeployHostFactory
{
    /// <summary>An SSH runner for a configured host: its address, key and known_hosts, strict host key checking unless opted out.</summary>
    private SshCommandRunner CreateSshRunner(HostOptions options)
    {
        if (!SshTarget.TryParse(options.Ssh, out var target, out var error))
        {
            throw new InvalidInputException($"Host {options.Name}: ssh '{options.Ssh}' is not an SSH address ({error}); write user@host or ssh://user@host:port.");
        }

        if (!string.IsNullOrWhiteSpace(options.Key))
        {
            target = target with { PrivateKeyPath = ExpandHome(options.Key) };
        }

        if (!string.IsNullOrWhiteSpace(options.KnownHosts))
        {
            target = target with { KnownHostsPath = ExpandHome(options.KnownHosts) };
        }

        target = target with { StrictHostKeyChecking = options.StrictHostKeyChecking };
        return new SshCommandRunner(target, _loggers.CreateLogger<SshCommandRunner>(), _time);
    }

    private static string ExpandHome(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..])
            : path;
}
