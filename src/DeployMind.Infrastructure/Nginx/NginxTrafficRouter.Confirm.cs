using System.Globalization;
using System.Security.Cryptography;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Confirmation of a switch by what nginx serves: after a reload (a signal, whose failure nginx only logs) the site's
/// <see cref="NginxConfigRenderer.RoutePath"/> is asked on the host until it answers the generation just written.
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    /// <summary>How long one request to a site's generation may take.</summary>
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often nginx is asked for the new generation after a reload: new workers take over within milliseconds, and the
    /// deploy waits for them, so the wait is short (each ask is one small host command).
    /// </summary>
    private static readonly TimeSpan ConfirmPollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// How often, at most, nginx's error log is read for a failed reload while the new generation does not answer yet: a
    /// host command (a process, or a round trip) every poll would compete with nginx for the CPU while it starts its new
    /// workers, and a failed reload is rare.
    /// </summary>
    private static readonly TimeSpan ErrorLogPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How much of nginx's error log a failure report quotes at most.</summary>
    private const int ErrorLogQuoteBytes = 16 * 1024;

    private string NewGeneration() =>
        _time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture) + "-"
        + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();

    private string RenderSite(NginxLayout layout, RouteSpec route, string generation, NginxSiteDomains? domains) =>
        NginxConfigRenderer.RenderSite(route, _options.ListenAddress, layout.AccessLogPath(route.App), _options.UpstreamKeepalive, generation, domains, layout.ProbeLogPath(route.App));

    /// <summary>Whether <paramref name="current"/> (the site on disk) is exactly <paramref name="route"/> and nginx serves it.</summary>
    private async Task<bool> IsLiveAsync(NginxLayout layout, RouteSpec route, NginxSiteDomains? domains, string current, CancellationToken cancellationToken)
    {
        if (NginxConfigRenderer.GenerationOf(current) is not { } generation || RenderSite(layout, route, generation, domains) != current)
        {
            return false;
        }

        if (layout.Mode == NginxMode.Managed && await ReadRunningPidAsync(layout, cancellationToken) is null)
        {
            return false;
        }

        return await ReadLiveGenerationAsync(route.ListenPort, route.ServerName, cancellationToken) == generation;
    }

    /// <summary>What confirms a removal: the removed site's generation no longer answers (null when it had none to ask).</summary>
    private static SwitchTarget? RemovedTarget(string current)
    {
        var route = NginxRouteComment.Parse(current);
        var generation = NginxConfigRenderer.GenerationOf(current);
        return route is null || generation is null ? null : new SwitchTarget(route.ListenPort, route.ServerName, null, generation);
    }

    /// <summary>Reloads (or starts) nginx and waits until it serves <paramref name="target"/>; null when it does.</summary>
    private async Task<SwitchFailure?> ActivateAndConfirmAsync(NginxLayout layout, SwitchTarget? target, bool startIfStopped)
    {
        long? offset;
        try
        {
            bool activated;
            if (layout.Mode == NginxMode.Managed)
            {
                (activated, offset) = await ReloadRunningAsync(layout, startIfStopped);
            }
            else
            {
                offset = await ErrorLogSizeAsync(layout);
                activated = await ActivateAsync(layout, startIfStopped, CancellationToken.None);
            }

            if (!activated)
            {
                return null;
            }
        }
        catch (RouterConfigurationException ex)
        {
            // The reload command failed, or nginx did not start: its own output says why.
            return new SwitchFailure("nginx did not load it", ex.Message, ReportedByNginx: true);
        }

        if (target is null)
        {
            return null;
        }

        var timeout = Duration.Parse(_options.ReloadConfirmTimeout, $"{NginxOptions.SectionName}:{nameof(NginxOptions.ReloadConfirmTimeout)}");
        var started = _time.GetTimestamp();
        var served = false;
        long? errorsRead = null;
        IReadOnlyList<string> errors = [];
        while (true)
        {
            string? live = null;
            if (!served)
            {
                live = await ReadLiveGenerationAsync(target.Port, target.ServerName, CancellationToken.None);
                served = target.Expected is not null ? live == target.Expected : live != target.Gone;
            }

            if (served)
            {
                // New workers answer; the replaced ones keep taking new connections until nginx tells them to stop (100 ms
                // after the new ones start). Until then a new connection may still get the old configuration.
                if (!await ReplacedWorkersAcceptAsync())
                {
                    return null;
                }

                if (_time.GetElapsedTime(started) >= timeout)
                {
                    LogOldWorkersStillAccepting(timeout.TotalSeconds, _runner.Name);
                    return null;
                }

                await Task.Delay(ConfirmPollInterval, _time, CancellationToken.None);
                continue;
            }

            var late = _time.GetElapsedTime(started) >= timeout;
            if (offset is not null && (late || errorsRead is null || _time.GetElapsedTime(errorsRead.Value) >= ErrorLogPollInterval))
            {
                errorsRead = _time.GetTimestamp();
                errors = NginxReloadErrors.Lines(await ReadErrorLogAsync(layout, offset.Value));
            }

            var failed = NginxReloadErrors.IsFinal(errors);
            if (failed || late)
            {
                var seen = live is null ? "no generation" : $"generation {live}";
                var reason = failed
                    ? "nginx's error log reports that the reload failed"
                    : $"after {timeout.TotalSeconds:0.#}s nginx still answered {seen} on port {target.Port}, not the new one";
                return new SwitchFailure(reason, string.Join("\n", errors), ReportedByNginx: failed);
            }

            await Task.Delay(ConfirmPollInterval, _time, CancellationToken.None);
        }
    }

    /// <summary>
    /// Whether a worker that ran before the last reload is still running and not shutting down, so still takes new
    /// connections (under the replaced configuration). False when none was known (ConfD mode, a start) or when ps
    /// cannot tell.
    /// </summary>
    private async Task<bool> ReplacedWorkersAcceptAsync()
    {
        if (_replaced is not { Workers.Count: > 0 } replaced)
        {
            return false;
        }

        CommandResult result;
        try
        {
            result = await RunAsync(NginxCommands.ProcessTitles(replaced.Workers), CancellationToken.None);
        }
        catch (CommandStartException)
        {
            return false;
        }

        // ps (where there is no /proc) exits 1 when none of them runs any more.
        return result.Succeeded && NginxCommands.AcceptingWorkers(result.StandardOutput).Count > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx on {Host} serves the new configuration, but workers from before the reload still took new connections after {Seconds}s (they were not told to shut down)")]
    private partial void LogOldWorkersStillAccepting(double seconds, string host);

    /// <summary>The generation nginx answers for the site on <paramref name="port"/> (and server name), or null.</summary>
    private async Task<string?> ReadLiveGenerationAsync(int port, string? serverName, CancellationToken cancellationToken)
    {
        string? body;
        if (_fetchInProcess)
        {
            body = (await LocalRouteFetch.GetAsync(RouteUrl(port), serverName, FetchTimeout, cancellationToken))?.Trim();
        }
        else
        {
            var result = await RunAsync(NginxCommands.Fetch(RouteUrl(port), serverName, FetchTimeout), cancellationToken);
            body = result.Succeeded ? result.StandardOutput.Trim() : null;
        }

        return body is not null && NginxConfigRenderer.IsGeneration(body) ? body : null;
    }

    private Uri RouteUrl(int port) =>
        new($"http://{NginxConfigRenderer.ProbeAddress(_options.ListenAddress)}:{port.ToString(CultureInfo.InvariantCulture)}{NginxConfigRenderer.RoutePath}");

    /// <summary>The size of nginx's error log (0 when it does not exist yet), or null when it cannot be read.</summary>
    private async Task<long?> ErrorLogSizeAsync(NginxLayout layout)
    {
        var result = await RunAsync(NginxCommands.Size(layout.ErrorLogPath), CancellationToken.None);
        if (IsMissingFile(result))
        {
            return 0;
        }

        return result.Succeeded && long.TryParse(result.StandardOutput.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : null;
    }

    /// <summary>What nginx wrote to its error log after <paramref name="offset"/> (its last part when that is long).</summary>
    private async Task<string> ReadErrorLogAsync(NginxLayout layout, long offset)
    {
        var result = await RunAsync(NginxCommands.TailFrom(layout.ErrorLogPath, offset), CancellationToken.None);
        if (!result.Succeeded)
        {
            return string.Empty;
        }

        var text = result.StandardOutput;
        return text.Length > ErrorLogQuoteBytes ? text[^ErrorLogQuoteBytes..] : text;
    }

    /// <summary>The exception message of a switch nginx did not make: what failed, what is in place, nginx's words.</summary>
    private string Describe(string app, NginxLayout layout, SwitchTarget? target, SwitchFailure failure, IReadOnlyList<SiteBlocker> blockers)
    {
        var what = target?.Expected is null ? "remove the site of" : "switch";
        var says = failure.NginxErrors.Length > 0
            ? $" nginx says:\n{failure.NginxErrors}"
            : $" Look at nginx's error log ({layout.ErrorLogPath}) for the reason.";
        var blocked = NginxReloadErrors.BindFailures(failure.NginxErrors);
        var others = blockers.Where(b => !b.Own).Select(b => b.Path).ToList();
        var sites = (blockers.Any(b => b.Own) ? $" It is the new listen port of app '{app}'." : string.Empty)
            + (others.Count == 0 ? string.Empty : $" It is the listen port of {string.Join(", ", others)}, which keeps the whole instance from reloading.");
        var hint = blocked.Count == 0
            ? string.Empty
            : $"\nPort {string.Join(", ", blocked)} is held by another process (not this nginx): `ss -Htlnp` names it.{sites} "
                + (others.Count == 0
                    ? "Stop that process, or give the app another port, and deploy again."
                    : "Stop that process, or move that site aside (or give it another port), and deploy again; `deploymind validate` lists such sites.");
        return $"nginx on {_runner.Name} did not {what} app '{app}': {failure.Reason}. nginx keeps serving its previous configuration, "
            + $"and the previous site file is back in place.{says}{hint}";
    }

    /// <summary>Where to ask a site for its generation, and what answer confirms the switch.</summary>
    /// <param name="Port">The site's listen port.</param>
    /// <param name="ServerName">The site's server name (the Host header), or null.</param>
    /// <param name="Expected">The generation that must answer (an apply), or null for a removal.</param>
    /// <param name="Gone">For a removal: the generation that must no longer answer.</param>
    private sealed record SwitchTarget(int Port, string? ServerName, string? Expected, string? Gone);

    /// <summary>Why a switch was not confirmed, and nginx's own error lines.</summary>
    /// <param name="Reason">What was seen, for the message.</param>
    /// <param name="NginxErrors">nginx's error lines (empty when it wrote none).</param>
    /// <param name="ReportedByNginx">nginx said the reload failed (so it keeps the old configuration); false when it simply did not happen in time.</param>
    private sealed record SwitchFailure(string Reason, string NginxErrors, bool ReportedByNginx);
}
