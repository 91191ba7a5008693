using DeployMind.Application.Configuration;
using DeployMind.Domain.Hosts;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Hosts;

internal sealed partial class DeployHostFactory
{
    /// <summary>An SSH runner for a configured host: its parsed address, key and known_hosts, strict host key checking unless opted out.</summary>
    private SshCommandRunner CreateSshRunner(HostOptions options, HostAddress.Ssh address)
    {
        var target = SshTarget.From(address);
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
