using System.Collections.Concurrent;
using System.Security.Cryptography;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// <see cref="ITrafficRouter"/> on nginx, driven only through an <see cref="ICommandRunner"/> (so it works here and
/// over SSH): one site file per app holding its weighted upstream, its server and its JSON access log, plus the
/// route itself as a comment so the host's files are the source of truth. A new site is written beside the old one,
/// swapped in by rename, checked with <c>nginx -t</c> and only then loaded by a graceful reload. A reload is a signal
/// whose failure nginx only writes to its error log (a listen port held by another process passes <c>nginx -t</c>), so
/// a switch counts only once nginx serves the new site: each site answers its own generation on
/// <see cref="NginxConfigRenderer.RoutePath"/>, asked on the host through the runner. A rejected or unconfirmed site is
/// swapped back out, so the running configuration and the files on disk stay the working ones.
/// </summary>
/// <remarks>Applies and removals are serialised per instance; use one instance per host.</remarks>
internal sealed partial class NginxTrafficRouter : ITrafficRouter, IDisposable
{
    private const string NextSuffix = ".next";
    private const string PreviousSuffix = ".previous";

    private readonly ICommandRunner _runner;
    private readonly NginxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NginxTrafficRouter> _logger;
    private readonly bool _fetchInProcess;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<(string Log, long From), TrafficAnalysis> _analyses = new();
    private NginxLayout? _layout;

    /// <param name="runner">Runs the commands on nginx's host.</param>
    /// <param name="options">The nginx settings.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    /// <param name="fetchInProcess">
    /// The runner runs on this machine, so nginx's answers to a switch's confirmation are asked from this process (see
    /// <see cref="LocalRouteFetch"/>) instead of by a curl process on the host each time.
    /// </param>
    public NginxTrafficRouter(ICommandRunner runner, NginxOptions options, TimeProvider time, ILogger<NginxTrafficRouter> logger, bool fetchInProcess = false)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _options = options;
        _time = time;
        _logger = logger;
        _fetchInProcess = fetchInProcess;
    }

    public async Task ApplyAsync(RouteSpec route, CancellationToken cancellationToken)
    {
        NginxRouteValidator.Validate(route);
        await ApplySiteAsync(route.App, route, force: false, cancellationToken);
        await RotateLogsAfterApplyAsync();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var servers = string.Join(", ", route.Servers.Select(s => $"{s.Address} ({s.Label}) weight {s.Weight}"));
            LogApplied(route.App, route.ListenPort, servers, _runner.Name);
        }
    }

    public async Task<RouteSpec?> GetAsync(string app, CancellationToken cancellationToken)
    {
        NginxRouteValidator.ValidateApp(app);
        var layout = await GetLayoutAsync(cancellationToken);
        var path = layout.SitePath(app);
        var text = await ReadFileAsync(path, cancellationToken);
        if (text is null)
        {
            return null;
        }

        return NginxRouteComment.Parse(text)
            ?? throw new RouterConfigurationException(
                $"The nginx site {path} on {_runner.Name} has no readable '{NginxRouteComment.Marker.Trim()}' line: it was not written by DeployMind (move it away to let DeployMind manage app '{app}').");
    }

    public async Task RemoveAsync(string app, CancellationToken cancellationToken)
    {
        NginxRouteValidator.ValidateApp(app);
        if (await ApplySiteAsync(app, null, force: false, cancellationToken))
        {
            LogRemoved(app, _runner.Name);
        }
    }

    public async Task<TrafficWindow> ReadTrafficAsync(string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        NginxRouteValidator.ValidateApp(app);
        var layout = await GetLayoutAsync(cancellationToken);
        if (to <= from)
        {
            return new TrafficWindow(from, to, new Dictionary<string, UpstreamStats>());
        }

        await RotateLogsIfDueAsync(layout, cancellationToken);
        return await ReadWindowAsync(layout.AccessLogPath(app), app, from, to, cancellationToken);
    }

    /// <summary>The window's figures from one log, continuing the window's earlier reads.</summary>
    private async Task<TrafficWindow> ReadWindowAsync(string log, string app, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        // One analysis per (log, window start): each read continues where the last one stopped (see NginxAccessLogReader).
        var key = (log, from.UtcTicks);
        var now = _time.GetUtcNow();
        ForgetIdleAnalyses(now);
        var analysis = _analyses.GetOrAdd(key, _ => new TrafficAnalysis());
        await analysis.Gate.WaitAsync(cancellationToken);
        try
        {
            analysis.LastUsed = now;
            if (to < analysis.To)
            {
                // An earlier end than already read: not this window's next read; read it on its own.
                return await ReadOnceAsync(log, from, to, cancellationToken);
            }

            var result = (await RunAsync(NginxAccessLogReader.Command(log, analysis.Cursor, from, to), cancellationToken)).EnsureSuccess();
            if (NginxAccessLogReader.Apply(result.StandardOutput, analysis.Cursor, analysis.Tally) is { } gap)
            {
                analysis.Gaps.Add(gap);
                LogGap(app, gap, _runner.Name);
            }

            analysis.To = to;
            return new TrafficWindow(from, to, analysis.Tally.Figures()) { Gaps = [.. analysis.Gaps] };
        }
        finally
        {
            analysis.Gate.Release();
        }
    }

    private async Task<TrafficWindow> ReadOnceAsync(string log, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var cursor = new LogCursor();
        var tally = new TrafficTally();
        var result = (await RunAsync(NginxAccessLogReader.Command(log, cursor, from, to), cancellationToken)).EnsureSuccess();
        var gap = NginxAccessLogReader.Apply(result.StandardOutput, cursor, tally);
        return new TrafficWindow(from, to, tally.Figures()) { Gaps = gap is null ? [] : [gap] };
    }

    /// <summary>Drops the state of analyses not read for an hour (their deployment ended).</summary>
    private void ForgetIdleAnalyses(DateTimeOffset now)
    {
        foreach (var (key, analysis) in _analyses)
        {
            if (now - analysis.LastUsed > TimeSpan.FromHours(1))
            {
                _analyses.TryRemove(key, out _);
            }
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Replaces (or, with null, removes) the app's site: swap in, test, reload, then confirm that nginx serves the new
    /// generation; otherwise swap back and throw with nginx's reason. A reload blocked by another site's port is
    /// retried once with that site quarantined (see <see cref="QuarantineAsync"/>).
    /// </summary>
    /// <returns>False when there was nothing to remove.</returns>
    /// <param name="app">The app whose site it is.</param>
    /// <param name="route">The new route, or null to remove the site.</param>
    /// <param name="force">Write and reload even when the same route is live (a renewed certificate is loaded so).</param>
    /// <param name="cancellationToken">Stops the work before the swap; after it, the swap is finished or undone.</param>
    private async Task<bool> ApplySiteAsync(string app, RouteSpec? route, bool force, CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        var domains = route is null ? null : await SiteDomainsAsync(route, cancellationToken);
        var path = layout.SitePath(app);
        var next = path + NextSuffix;
        var previous = path + PreviousSuffix;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            // What the change reads (the main configuration, the site, the catch-all, every other site) in one host command.
            var files = await ReadSiteFilesAsync(layout, path, cancellationToken);
            await WriteMainConfigAsync(layout, files.Main, cancellationToken);
            var current = files.Current;
            if (current is null && route is null)
            {
                return false;
            }

            if (!force && route is not null && current is not null && await IsLiveAsync(layout, route, domains, current, cancellationToken))
            {
                // The same route is on disk and nginx serves it: nothing to reload (e.g. traffic put back after a failed switch).
                LogUnchanged(app, _runner.Name);
                return true;
            }

            var fallback = await PlanDefaultSiteAsync(layout, path, route, files, cancellationToken);
            var generation = route is null ? null : NewGeneration();
            // The backup (previous) stays on disk after a success too: the previous version, for operators.
            if (route is null)
            {
                (await RunAsync(NginxCommands.Copy(path, previous), cancellationToken)).EnsureSuccess();
                (await RunAsync(NginxCommands.Remove(path), cancellationToken)).EnsureSuccess();
            }
            else
            {
                // Backup, new file beside the site, rename over it: one host command; the site changes only with its last step.
                var swap = NginxCommands.SwapIn(path, current is null ? null : previous, next, RenderSite(layout, route, generation!, domains));
                (await RunAsync(swap, cancellationToken)).EnsureSuccess();
            }

            // From here on the swap must be undone whatever happens, even if the caller gives up.
            var fallbackChanged = await ApplyDefaultSiteAsync(fallback);
            var target = route is null ? RemovedTarget(current!) : new SwitchTarget(route.ListenPort, route.ServerName, generation, null);
            var test = await RunAsync(NginxCommands.Test(layout), CancellationToken.None);
            if (!test.Succeeded && RefusedForAnotherDefault(fallback, fallbackChanged, NginxMessages(test)))
            {
                // Another default server holds a shared port (an operator's conf.d): the site goes on without the catch-all.
                await UndoDefaultSiteAsync(fallback, fallbackChanged);
                fallbackChanged = false;
                test = await RunAsync(NginxCommands.Test(layout), CancellationToken.None);
            }

            if (!test.Succeeded)
            {
                await RestoreAsync(path, current is not null, previous);
                await UndoDefaultSiteAsync(fallback, fallbackChanged);
                var errors = NginxMessages(test);
                LogRejected(app, errors, _runner.Name);
                throw new RouterConfigurationException(
                    $"nginx rejected the configuration for app '{app}' on {_runner.Name}; the previous one stays in place. {errors}");
            }

            var failure = await ActivateAndConfirmAsync(layout, target, startIfStopped: route is not null);
            if (failure is null)
            {
                return true;
            }

            var blockers = await FindBlockersAsync(layout, path, failure);
            var quarantined = await QuarantineAsync(blockers, failure);
            if (quarantined.Count > 0)
            {
                var retest = await RunAsync(NginxCommands.Test(layout), CancellationToken.None);
                var retried = retest.Succeeded ? await ActivateAndConfirmAsync(layout, target, startIfStopped: route is not null) : null;
                if (retest.Succeeded && retried is null)
                {
                    foreach (var site in quarantined)
                    {
                        LogQuarantined(site.Path, site.Reason, app, _runner.Name);
                    }

                    return true;
                }

                failure = retried ?? failure;
                await UndoQuarantineAsync(quarantined);
            }

            await RestoreAsync(path, current is not null, previous);
            await UndoDefaultSiteAsync(fallback, fallbackChanged);
            if (!failure.ReportedByNginx)
            {
                // Not confirmed and nginx said nothing: a slow reload may still load the new site; load the old one again.
                await RunAsync(NginxCommands.Reload(layout, [.. _options.ReloadCommand]), CancellationToken.None);
            }

            var message = Describe(app, layout, target, failure, blockers);
            LogNotConfirmed(app, message, _runner.Name);
            throw new RouterConfigurationException(message);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RestoreAsync(string path, bool hadSite, string previous)
    {
        var restore = hadSite ? NginxCommands.Move(previous, path) : NginxCommands.Remove(path);
        (await RunAsync(restore, CancellationToken.None)).EnsureSuccess();
    }

    /// <summary>
    /// Creates the layout's directories and reads, in one host command, the main configuration (Managed), the site at
    /// <paramref name="sitePath"/>, the catch-all and every site file.
    /// </summary>
    private async Task<SiteFiles> ReadSiteFilesAsync(NginxLayout layout, string sitePath, CancellationToken cancellationToken)
    {
        var marker = "@deploymind-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant() + "@";
        var main = layout.Mode == NginxMode.Managed ? layout.MainConfigPath : null;
        string[] named = main is null ? [sitePath, layout.DefaultSitePath] : [main, sitePath, layout.DefaultSitePath];
        var result = (await RunAsync(NginxCommands.ReadFiles(marker, PreparedDirectories(layout), named, layout.SitesDirectory, layout.SiteFilePrefix), cancellationToken)).EnsureSuccess();
        var files = NginxCommands.ParseFiles(result.StandardOutput, marker);
        string? Text(string path) => files.FirstOrDefault(f => f.Path == path).Text;
        return new SiteFiles(
            main is null ? null : Text(main),
            Text(sitePath),
            Text(layout.DefaultSitePath),
            [.. files.Skip(named.Length).Where(f => f.Text is not null).Select(f => (f.Path, f.Text!))]);
    }

    /// <summary>What a site change starts from, as read on the host (null: no such file).</summary>
    /// <param name="Main">The main configuration (Managed mode only).</param>
    /// <param name="Current">The app's site.</param>
    /// <param name="Default">The catch-all site.</param>
    /// <param name="Sites">Every DeployMind site file (<c>PREFIX*.conf</c>) in the sites directory (the two above included), path and text.</param>
    private sealed record SiteFiles(string? Main, string? Current, string? Default, IReadOnlyList<(string Path, string Text)> Sites);

    /// <summary>The text of <paramref name="path"/>, or null when it does not exist.</summary>
    private async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        var result = await RunAsync(NginxCommands.Read(path), cancellationToken);
        return IsMissingFile(result) ? null : result.EnsureSuccess().StandardOutput;
    }

    private async Task WriteFileAsync(string path, string content, CancellationToken cancellationToken)
    {
        (await RunAsync(NginxCommands.Write(path + NextSuffix, content), cancellationToken)).EnsureSuccess();
        (await RunAsync(NginxCommands.Move(path + NextSuffix, path), cancellationToken)).EnsureSuccess();
    }

    private async Task<NginxLayout> GetLayoutAsync(CancellationToken cancellationToken)
    {
        if (_layout is not null)
        {
            return _layout;
        }

        string? home = null;
        if (NginxLayout.NeedsHome(_options))
        {
            home = (await RunAsync(NginxCommands.Home(), cancellationToken)).EnsureSuccess().StandardOutput.Trim();
        }

        return _layout = NginxLayout.Create(_options, home);
    }

    private Task<CommandResult> RunAsync(CommandSpec command, CancellationToken cancellationToken) =>
        _runner.RunAsync(command, null, cancellationToken);

    /// <summary>The file commands run with LC_ALL=C, so "No such file or directory" is recognisable on any host.</summary>
    private static bool IsMissingFile(CommandResult result) =>
        !result.Succeeded && result.StandardError.Contains("No such file or directory", StringComparison.Ordinal);

    /// <summary>nginx's own error lines from a failed command (all of its output when it has none marked as such).</summary>
    private static string NginxMessages(CommandResult result)
    {
        var lines = (result.StandardError + "\n" + result.StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToArray();
        var errors = lines
            .Where(l => l.Contains("[emerg]", StringComparison.Ordinal) || l.Contains("[alert]", StringComparison.Ordinal)
                || l.Contains("[crit]", StringComparison.Ordinal) || l.Contains("[error]", StringComparison.Ordinal)
                || l.Contains("failed", StringComparison.Ordinal))
            .ToArray();
        var quoted = errors.Length > 0 ? errors : lines.TakeLast(10).ToArray();
        return quoted.Length > 0 ? string.Join("\n", quoted) : $"`{result.Command}` exited with code {result.ExitCode}.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Traffic analysis of {App} on {Host} misses requests: {Gap}")]
    private partial void LogGap(string app, string gap, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed {App} (port {ListenPort}) to {Servers} on {Host}")]
    private partial void LogApplied(string app, int listenPort, string servers, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the route of {App} on {Host}")]
    private partial void LogRemoved(string app, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx rejected the configuration for {App} on {Host}: {Errors}")]
    private partial void LogRejected(string app, string errors, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The route of {App} on {Host} is unchanged and live: nothing to reload")]
    private partial void LogUnchanged(string app, string host);

    [LoggerMessage(Level = LogLevel.Error, Message = "nginx did not switch {App} on {Host}: {Reason}")]
    private partial void LogNotConfirmed(string app, string reason, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Quarantined the nginx site {Path} on {Host} (moved to .broken) so that {App} could reload: {Reason}")]
    private partial void LogQuarantined(string path, string reason, string app, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started nginx (prefix {Prefix}, pid {Pid}) on {Host}")]
    private partial void LogStarted(string prefix, int pid, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reloaded nginx on {Host}")]
    private partial void LogReloaded(string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped nginx (prefix {Prefix}, pid {Pid}) on {Host}")]
    private partial void LogStopped(string prefix, int pid, string host);
}
