using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// What <c>deploymind validate</c> checks on the host's nginx: that every site on disk is what nginx serves, and no
/// listen port of a site is held by another process (which makes every reload of the instance fail).
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    /// <summary>How much of the end of nginx's error log a diagnosis quotes from.</summary>
    private const long DiagnoseErrorLogBytes = 64 * 1024;

    /// <summary>
    /// One result for the instance's sites (failed, with every problem and nginx's last errors, when one is not live
    /// or its port is held by another process) and a warning when quarantined (<c>.broken</c>) sites are left.
    /// </summary>
    /// <param name="hostName">The host's name in the results.</param>
    /// <param name="listenPorts">The ports the configuration serves apps on, each with its key: held by another process, a deploy there fails.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public async Task<IReadOnlyList<CheckResult>> DiagnoseAsync(string hostName, IReadOnlyDictionary<int, string> listenPorts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listenPorts);
        var layout = await GetLayoutAsync(cancellationToken);
        var name = $"{hostName}: nginx sites";
        var listing = await RunAsync(NginxCommands.List(layout.SitesDirectory), cancellationToken);
        var names = IsMissingFile(listing)
            ? []
            : listing.EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var master = layout.Mode == NginxMode.Managed ? await ReadRunningPidAsync(layout, cancellationToken) : null;
        var running = layout.Mode != NginxMode.Managed || master is not null;
        var ss = await RunAsync(NginxCommands.Listening(), cancellationToken);
        var listeners = ss.Succeeded ? ParseListeners(ss.StandardOutput) : [];
        var problems = new List<string>();
        var sites = 0;
        var sitePorts = new HashSet<int>();
        foreach (var file in names.Where(n => n.EndsWith(".conf", StringComparison.Ordinal)))
        {
            var path = $"{layout.SitesDirectory}/{file}";
            if (await ReadFileAsync(path, cancellationToken) is not { } text)
            {
                continue;
            }

            sites++;
            var route = NginxRouteComment.Parse(text);
            var generation = NginxConfigRenderer.GenerationOf(text);
            foreach (var port in NginxConfigRenderer.ListenPortsOf(text).Distinct())
            {
                sitePorts.Add(port);
                listeners.TryGetValue(port, out var owners);
                var ours = owners is null || owners.Count == 0 ? (bool?)null : owners.Any(o => master is { } pid ? o.Pid == pid : o.Process == "nginx");
                if (ours == false || (!running && owners is not null))
                {
                    var who = owners is { Count: > 0 } ? $"{owners[0].Process}, pid {owners[0].Pid}" : "a process this user cannot see";
                    problems.Add($"{path}: its listen port {port} is held by another process ({who}), not this nginx, so no reload of the instance can succeed: free the port or move the site aside");
                    continue;
                }

                if (!running)
                {
                    continue;
                }

                if (owners is null && ss.Succeeded)
                {
                    problems.Add($"{path}: nothing listens on its port {port}: nginx has not loaded this site (its last reload failed)");
                    continue;
                }

                if (route is not null && generation is not null && port == route.ListenPort
                    && await ReadLiveGenerationAsync(port, route.ServerName, cancellationToken) is var live && live != generation)
                {
                    var served = live is null ? "no generation" : $"generation {live}";
                    problems.Add($"{path}: nginx answers {served} on port {port} but the file is generation {generation}: the last reload did not load it"
                        + (ours is null ? " (or another process holds the port)" : string.Empty));
                }
            }
        }

        foreach (var (port, key) in listenPorts.Where(p => !sitePorts.Contains(p.Key)))
        {
            // No site listens there yet: whatever holds it now is not this nginx serving an app.
            if (listeners.TryGetValue(port, out var owners) && (layout.Mode == NginxMode.Managed || owners.All(o => o.Process != "nginx")))
            {
                var who = owners.Count > 0 ? $"{owners[0].Process}, pid {owners[0].Pid}" : "a process this user cannot see";
                problems.Add($"port {port} ({key}) is held by another process ({who}): a deploy there would fail; free it or choose another port");
            }
        }

        var results = new List<CheckResult>();
        if (problems.Count == 0)
        {
            var state = sites == 0 ? $"no sites yet ({layout.SitesDirectory})"
                : running ? $"{sites} site(s), served as written"
                : $"{sites} site(s); nginx is not running, it starts on the next deploy";
            results.Add(new CheckResult(name, true, state));
        }
        else
        {
            var tail = await RunAsync(NginxCommands.Tail(layout.ErrorLogPath, DiagnoseErrorLogBytes), cancellationToken);
            var errors = tail.Succeeded ? NginxReloadErrors.Lines(tail.StandardOutput).TakeLast(4).ToArray() : [];
            var says = errors.Length == 0 ? string.Empty : $" — nginx's error log ({layout.ErrorLogPath}) ends with: {string.Join(" | ", errors)}";
            results.Add(new CheckResult(name, false, string.Join("; ", problems) + says + " — see docs/operations.md, \"When a reload fails\""));
        }

        var broken = names.Where(n => n.EndsWith(BrokenSuffix, StringComparison.Ordinal)).ToArray();
        if (broken.Length > 0)
        {
            results.Add(new CheckResult(
                $"{hostName}: nginx quarantined sites",
                true,
                $"{string.Join(", ", broken.Select(b => $"{layout.SitesDirectory}/{b}"))}: moved aside because they kept the instance from reloading; fix and move back, or delete")
            {
                Warning = true,
            });
        }

        return results;
    }

    /// <summary>Listening ports from <c>ss -Htlnp</c>, each with the processes that hold it (none when the user may not see them).</summary>
    internal static Dictionary<int, List<(string Process, int Pid)>> ParseListeners(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var listeners = new Dictionary<int, List<(string Process, int Pid)>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                continue;
            }

            var local = fields[3];
            var colon = local.LastIndexOf(':');
            if (colon < 0 || !int.TryParse(local.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            if (!listeners.TryGetValue(port, out var owners))
            {
                listeners[port] = owners = [];
            }

            foreach (Match user in SsUser().Matches(line))
            {
                owners.Add((user.Groups["name"].Value, int.Parse(user.Groups["pid"].Value, NumberStyles.None, CultureInfo.InvariantCulture)));
            }
        }

        return listeners;
    }

    [GeneratedRegex(@"\(""(?<name>[^""]*)"",pid=(?<pid>[0-9]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SsUser();
}
