using System.Globalization;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// When the requests taken before a switch have finished. A graceful reload starts new workers with the new configuration
/// and tells the old ones to stop accepting connections, finish the requests they hold, close idle keep-alive connections
/// and exit; nginx gives the new workers 100 ms before it tells the old ones, and until then both take connections. So the
/// old workers are known by their process ids, read just before the reload: once none of them is a child of the master
/// any more, no request can reach a container only the replaced configuration routed to. Managed mode only; a ConfD
/// instance (its master unknown), a failed <c>ps</c> or a reload this instance did not make cannot tell.
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    private volatile ReplacedWorkers? _replaced;

    public async Task<bool> DrainedAsync(CancellationToken cancellationToken)
    {
        if (_replaced is not { } replaced)
        {
            return false;
        }

        if (replaced.Workers.Count == 0)
        {
            return true;
        }

        var now = await WorkerPidsAsync(replaced.Master, cancellationToken);
        return now is not null && !now.Overlaps(replaced.Workers);
    }

    /// <summary>The children of nginx's master <paramref name="master"/> (its workers), or null when they cannot be listed.</summary>
    private async Task<IReadOnlySet<int>?> WorkerPidsAsync(int master, CancellationToken cancellationToken)
    {
        CommandResult result;
        try
        {
            result = await RunAsync(NginxCommands.Children(master), cancellationToken);
        }
        catch (CommandStartException)
        {
            return null; // no ps on the host: cannot tell
        }

        var output = result.StandardOutput.Trim();
        if (!result.Succeeded)
        {
            // ps exits 1 when nothing matched: the master has no children (it is gone).
            return result.ExitCode == 1 && output.Length == 0 ? new HashSet<int>() : null;
        }

        var pids = new HashSet<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            pids.Add(pid);
        }

        return pids;
    }

    /// <summary>nginx's master and the workers it ran just before the last reload.</summary>
    private sealed record ReplacedWorkers(int Master, IReadOnlySet<int> Workers);
}
