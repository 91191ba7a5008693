using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Docker;

/// <summary>Which TCP ports a container's processes listen on, seen from the host.</summary>
internal sealed partial class DockerContainerRuntime
{
    /// <summary><c>ss</c> listing listening TCP sockets without a header, numerically, with their processes.</summary>
    internal static readonly CommandSpec ListeningSockets = CommandSpec.Create("ss", "-Hltnp");

    // Containers run on the host network, so their sockets are among the host's: the container's processes (docker top
    // gives their host PIDs, the whole tree) are matched against the owners ss prints for each listening socket. A
    // diagnosis only: a program that cannot be started makes it unknown (null), never a failed health check.
    public async Task<IReadOnlySet<int>?> ListeningPortsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await ListeningPortsOrThrowAsync(name, cancellationToken);
        }
        catch (CommandStartException)
        {
            return null;
        }
    }

    private async Task<IReadOnlySet<int>?> ListeningPortsOrThrowAsync(string name, CancellationToken cancellationToken)
    {
        var top = await _runner.RunAsync(DockerCommands.Top(name), null, cancellationToken);
        if (!top.Succeeded)
        {
            return null;
        }

        var pids = ParseTopPids(top.StandardOutput);
        if (pids.Count == 0)
        {
            return null;
        }

        var sockets = await _runner.RunAsync(ListeningSockets, null, cancellationToken);
        return sockets.Succeeded ? PortsOwnedBy(sockets.StandardOutput, pids) : null;
    }

    /// <summary>The PID column of <c>docker top</c> output (found by its header).</summary>
    internal static HashSet<int> ParseTopPids(string output)
    {
        var pids = new HashSet<int>();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return pids;
        }

        var column = Array.IndexOf(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), "PID");
        if (column < 0)
        {
            return pids;
        }

        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > column && int.TryParse(fields[column], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>
    /// The local ports of the sockets in <c>ss -Hltnp</c> output owned by one of <paramref name="pids"/>
    /// ("LISTEN 0 4096 127.0.0.1:5000 0.0.0.0:* users:(("server",pid=31009,fd=3))"); sockets without owners are skipped.
    /// </summary>
    internal static HashSet<int> PortsOwnedBy(string output, IReadOnlySet<int> pids)
    {
        var ports = new HashSet<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5)
            {
                continue;
            }

            var local = fields[3];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            foreach (Match owner in OwnerPid().Matches(line))
            {
                if (pids.Contains(int.Parse(owner.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture)))
                {
                    ports.Add(port);
                    break;
                }
            }
        }

        return ports;
    }

    [GeneratedRegex(@"pid=(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex OwnerPid();
}
