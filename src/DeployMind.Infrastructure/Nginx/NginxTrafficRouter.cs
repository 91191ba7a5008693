using DeployMind.Application.Deploy;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// <see cref="ITrafficRouter"/> on nginx, driven only through an <see cref="ICommandRunner"/> (so it works here and
/// over SSH): one site file per app holding its weighted upstream, its server and its JSON access log, plus the
/// route itself as a comment so the host's files are the source of truth. A new site is written beside the old one,
/// swapped in by rename, checked with <c>nginx -t</c> and only then loaded by a graceful reload; a rejected one is
/// swapped back out, so the running configuration and the files on disk stay the working ones.
/// </summary>
/// <remarks>
/// Applies and removals are serialised per instance; use one instance per host. A reload is a signal: nginx switches
/// to the new configuration a few milliseconds after <see cref="ApplyAsync"/> returns, and a failure nginx -t cannot
/// see (a listen port taken by another process) is reported by nginx in its error log, not here.
/// </remarks>
internal sealed partial class NginxTrafficRouter : ITrafficRouter, IDisposable
{
    private const string NextSuffix = ".next";
    private const string PreviousSuffix = ".previous";

    private readonly ICommandRunner _runner;
    private readonly NginxOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NginxTrafficRouter> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private NginxLayout? _layout;

    public NginxTrafficRouter(ICommandRunner runner, NginxOptions options, TimeProvider time, ILogger<NginxTrafficRouter> logger)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public async Task ApplyAsync(RouteSpec route, CancellationToken cancellationToken)
    {
        NginxRouteValidator.Validate(route);
        var layout = await GetLayoutAsync(cancellationToken);
        var site = NginxConfigRenderer.RenderSite(route, _options.ListenAddress, layout.AccessLogPath(route.App), _options.UpstreamKeepalive);
        await ApplySiteAsync(route.App, site, cancellationToken);
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
        if (await ApplySiteAsync(app, null, cancellationToken))
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

        // Only the end of the log: a window being analysed is recent, and a busy log is large (see TrafficLogTailBytes).
        var result = await RunAsync(NginxCommands.Tail(layout.AccessLogPath(app), _options.TrafficLogTailBytes), cancellationToken);
        if (IsMissingFile(result))
        {
            return new TrafficWindow(from, to, new Dictionary<string, UpstreamStats>());
        }

        result.EnsureSuccess();
        return NginxTrafficSummary.Summarize(NginxAccessLogParser.Parse(result.StandardOutput), from, to);
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Replaces (or, with null, removes) the app's site: swap in, test, then reload, or swap back and throw.</summary>
    /// <returns>False when there was nothing to remove.</returns>
    private async Task<bool> ApplySiteAsync(string app, string? site, CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        var path = layout.SitePath(app);
        var next = path + NextSuffix;
        var previous = path + PreviousSuffix;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await PrepareAsync(layout, cancellationToken);
            var current = await ReadFileAsync(path, cancellationToken);
            if (current is null && site is null)
            {
                return false;
            }

            if (current is not null)
            {
                // The backup stays on disk after a success too: the previous version, for operators.
                (await RunAsync(NginxCommands.Copy(path, previous), cancellationToken)).EnsureSuccess();
            }

            if (site is null)
            {
                (await RunAsync(NginxCommands.Remove(path), cancellationToken)).EnsureSuccess();
            }
            else
            {
                (await RunAsync(NginxCommands.Write(next, site), cancellationToken)).EnsureSuccess();
                (await RunAsync(NginxCommands.Move(next, path), cancellationToken)).EnsureSuccess();
            }

            // From here on the swap must be undone whatever happens, even if the caller gives up.
            var test = await RunAsync(NginxCommands.Test(layout), CancellationToken.None);
            if (!test.Succeeded)
            {
                await RestoreAsync(path, current is not null, previous);
                var errors = NginxMessages(test);
                LogRejected(app, errors, _runner.Name);
                throw new RouterConfigurationException(
                    $"nginx rejected the configuration for app '{app}' on {_runner.Name}; the previous one stays in place. {errors}");
            }

            try
            {
                await ActivateAsync(layout, startIfStopped: site is not null, CancellationToken.None);
            }
            catch (RouterConfigurationException)
            {
                await RestoreAsync(path, current is not null, previous);
                throw;
            }

            return true;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Routed {App} (port {ListenPort}) to {Servers} on {Host}")]
    private partial void LogApplied(string app, int listenPort, string servers, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed the route of {App} on {Host}")]
    private partial void LogRemoved(string app, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx rejected the configuration for {App} on {Host}: {Errors}")]
    private partial void LogRejected(string app, string errors, string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started nginx (prefix {Prefix}, pid {Pid}) on {Host}")]
    private partial void LogStarted(string prefix, int pid, string host);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reloaded nginx on {Host}")]
    private partial void LogReloaded(string host);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped nginx (prefix {Prefix}, pid {Pid}) on {Host}")]
    private partial void LogStopped(string prefix, int pid, string host);
}
