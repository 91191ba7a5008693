using System.Globalization;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>The nginx process: DeployMind's own instance in Managed mode, the operator's (reload only) in ConfD mode.</summary>
internal sealed partial class NginxTrafficRouter
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuitTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Managed: writes the main configuration and starts the instance unless it runs (reloading it when the main
    /// configuration changed). ConfD: nothing; the operator runs that nginx.
    /// </summary>
    /// <exception cref="RouterConfigurationException">nginx rejected the configuration or did not start.</exception>
    public async Task EnsureRunningAsync(CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        if (layout.Mode != NginxMode.Managed)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var changed = await PrepareAsync(layout, cancellationToken);
            if (changed || await ReadRunningPidAsync(layout, cancellationToken) is null)
            {
                var test = await RunAsync(NginxCommands.Test(layout), cancellationToken);
                if (!test.Succeeded)
                {
                    throw new RouterConfigurationException($"nginx rejected its main configuration {layout.MainConfigPath} on {_runner.Name}. {NginxMessages(test)}");
                }

                await ActivateAsync(layout, startIfStopped: true, cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Managed: stops the instance gracefully (<c>-s quit</c>: workers finish their requests) and waits until it is
    /// gone, stopping it fast if that takes too long. ConfD: nothing.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        if (layout.Mode != NginxMode.Managed)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (await ReadRunningPidAsync(layout, cancellationToken) is not { } pid)
            {
                return;
            }

            await RunAsync(NginxCommands.Quit(layout), cancellationToken);
            if (!await WaitUntilAsync(async () => !await IsAliveAsync(pid, cancellationToken), QuitTimeout, cancellationToken))
            {
                await RunAsync(NginxCommands.Stop(layout), cancellationToken);
                await WaitUntilAsync(async () => !await IsAliveAsync(pid, cancellationToken), QuitTimeout, cancellationToken);
            }

            LogStopped(layout.Prefix!, pid, _runner.Name);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Creates the directories and, in Managed mode, (re)writes the main configuration.</summary>
    /// <returns>Whether the main configuration changed.</returns>
    private async Task<bool> PrepareAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        (await RunAsync(NginxCommands.MakeDirectories(PreparedDirectories(layout)), cancellationToken)).EnsureSuccess();
        return layout.Mode == NginxMode.Managed
            && await WriteMainConfigAsync(layout, await ReadFileAsync(layout.MainConfigPath, cancellationToken), cancellationToken);
    }

    /// <summary>The directories a change needs: the sites and access logs, and (Managed) the instance's logs and temp.</summary>
    private static string[] PreparedDirectories(NginxLayout layout) =>
        layout.Mode == NginxMode.Managed
            ? [layout.SitesDirectory, layout.AccessLogDirectory, $"{layout.Prefix}/logs", layout.TempDirectory!]
            : [layout.SitesDirectory, layout.AccessLogDirectory];

    /// <summary>Managed: writes the main configuration when <paramref name="current"/> (null: none) is not it.</summary>
    /// <returns>Whether it changed.</returns>
    private async Task<bool> WriteMainConfigAsync(NginxLayout layout, string? current, CancellationToken cancellationToken)
    {
        if (layout.Mode != NginxMode.Managed)
        {
            return false;
        }

        var main = NginxConfigRenderer.RenderMainConfig(layout, _options.WorkerProcesses);
        if (current == main)
        {
            return false;
        }

        await WriteFileAsync(layout.MainConfigPath, main, cancellationToken);
        return true;
    }

    /// <summary>Loads the tested configuration: a graceful reload, or (Managed, when stopped) a start.</summary>
    /// <returns>False when nothing runs to load it (Managed, stopped, and not to be started).</returns>
    private async Task<bool> ActivateAsync(NginxLayout layout, bool startIfStopped, CancellationToken cancellationToken)
    {
        var master = layout.Mode == NginxMode.Managed ? await ReadRunningPidAsync(layout, cancellationToken) : null;
        if (layout.Mode == NginxMode.Managed && master is null)
        {
            if (startIfStopped)
            {
                await StartAsync(layout, cancellationToken);

                // Nothing ran before: no request was taken under an earlier configuration.
                _replaced = new ReplacedWorkers(0, new HashSet<int>());
            }

            return startIfStopped;
        }

        // The workers that run now are the ones that may hold requests under the configuration being replaced.
        var before = master is { } pid ? await WorkerPidsAsync(pid, cancellationToken) : null;
        _replaced = null;
        var reload = await RunAsync(NginxCommands.Reload(layout, [.. _options.ReloadCommand]), cancellationToken);
        if (!reload.Succeeded)
        {
            throw new RouterConfigurationException($"nginx on {_runner.Name} did not reload (`{reload.Command}`). {NginxMessages(reload)}");
        }

        _replaced = before is null ? null : new ReplacedWorkers(master!.Value, before);
        LogReloaded(_runner.Name);
        return true;
    }

    /// <summary>
    /// Managed: what <see cref="ActivateAsync"/> does, with the error log's size read first, in one host command
    /// (<see cref="NginxCommands.ReloadRunning"/>): the deploy's switch waits for it.
    /// </summary>
    /// <returns>Whether nginx loads the configuration (false: stopped and not to be started), and the error log's size before (null: unreadable).</returns>
    private async Task<(bool Activated, long? ErrorLogOffset)> ReloadRunningAsync(NginxLayout layout, bool startIfStopped)
    {
        var result = await RunAsync(NginxCommands.ReloadRunning(layout), CancellationToken.None);
        var output = result.StandardOutput;
        long? offset = null;
        int? master = null;
        HashSet<int>? workers = [];
        var stopped = false;
        var position = 0;
        var reloaded = -1;
        while (position < output.Length && reloaded < 0 && !stopped)
        {
            var end = output.IndexOf('\n', position);
            var line = end < 0 ? output[position..] : output[position..end];
            position = end < 0 ? output.Length : end + 1;
            var value = line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            switch (line.Split(' ')[0])
            {
                case "size" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size):
                    offset = size;
                    break;
                case "stopped":
                    stopped = true;
                    break;
                case "master" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid):
                    master = pid;
                    break;
                case "workers" when value == "none":
                    break;
                case "workers" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var worker):
                    workers?.Add(worker);
                    break;
                case "workers":
                    workers = null;
                    break;
                case "reload":
                    reloaded = position;
                    break;
            }
        }

        if (stopped && result.Succeeded)
        {
            if (startIfStopped)
            {
                await StartAsync(layout, CancellationToken.None);

                // Nothing ran before: no request was taken under an earlier configuration.
                _replaced = new ReplacedWorkers(0, new HashSet<int>());
            }

            return (startIfStopped, offset);
        }

        _replaced = null;
        if (master is null || reloaded < 0 || !result.Succeeded)
        {
            var said = reloaded < 0 ? result : result with { StandardOutput = output[reloaded..] };
            var signal = master is null ? NginxCommands.Reload(layout, [.. _options.ReloadCommand]).ToString() : $"kill -HUP {master.Value.ToString(CultureInfo.InvariantCulture)}, as nginx -s reload does";
            throw new RouterConfigurationException($"nginx on {_runner.Name} did not reload (`{signal}`). {NginxMessages(said)}");
        }

        // The workers that ran just before the signal are the ones that may hold requests under the replaced configuration.
        _replaced = workers is null ? null : new ReplacedWorkers(master.Value, workers);
        LogReloaded(_runner.Name);
        return (true, offset);
    }

    private async Task StartAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        // nginx binds its ports, then daemonises: when the command returns the ports accept connections, and the
        // master writes its pid file a moment later, which is awaited so the next call sees it running.
        var start = await RunAsync(NginxCommands.Start(layout), cancellationToken);
        if (!start.Succeeded)
        {
            throw new RouterConfigurationException($"nginx did not start on {_runner.Name} (prefix {layout.Prefix}). {NginxMessages(start)}");
        }

        int? pid = null;
        if (!await WaitUntilAsync(async () => (pid = await ReadRunningPidAsync(layout, cancellationToken)) is not null, StartTimeout, cancellationToken))
        {
            throw new RouterConfigurationException(
                $"nginx started on {_runner.Name} but wrote no pid file ({layout.PidPath}) within {StartTimeout.TotalSeconds:F0}s; see {layout.ErrorLogPath}.");
        }

        LogStarted(layout.Prefix!, pid!.Value, _runner.Name);
    }

    /// <summary>The master's pid when the pid file names a live process; null when nginx is not running.</summary>
    private async Task<int?> ReadRunningPidAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        var text = await ReadFileAsync(layout.PidPath!, cancellationToken);
        return int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            && await IsAliveAsync(pid, cancellationToken)
                ? pid
                : null;
    }

    private async Task<bool> IsAliveAsync(int pid, CancellationToken cancellationToken) =>
        (await RunAsync(NginxCommands.IsAlive(pid), cancellationToken)).Succeeded;

    private async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (_time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }
}
