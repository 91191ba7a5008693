using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>The managed instance's access logs: rotated by size so they cannot fill the disk.</summary>
internal sealed partial class NginxTrafficRouter
{
    /// <summary>How often route changes and traffic reads check the logs' sizes.</summary>
    private static readonly TimeSpan RotationCheckInterval = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _lastRotationCheck;

    /// <summary>
    /// Managed mode: moves every app access log larger than <see cref="NginxOptions.AccessLogMaxBytes"/> to
    /// <c>&lt;log&gt;.1</c> (replacing the one before) and has nginx write new ones (<c>-s reopen</c>; <c>-s reload</c> when
    /// the runner is root, see <see cref="NginxCommands.RotateLogs"/>), in one command. An analysis reading the
    /// log follows it into <c>.1</c> (see <see cref="NginxAccessLogReader"/>). Returns the logs rotated.
    /// </summary>
    public async Task<IReadOnlyList<string>> RotateLogsAsync(CancellationToken cancellationToken)
    {
        var layout = await GetLayoutAsync(cancellationToken);
        _lastRotationCheck = _time.GetUtcNow();
        if (layout.Mode != NginxMode.Managed || _options.AccessLogMaxBytes <= 0)
        {
            return [];
        }

        // Under the gate: run by root the rotation reloads nginx, which must not load a site file that is being swapped in.
        CommandResult result;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            result = await RunAsync(NginxCommands.RotateLogs(layout, _options.AccessLogMaxBytes), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        var rotated = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Where(p => p.Length == 3 && p[0] == "rotated")
            .Select(p => p[1])
            .ToArray();
        foreach (var path in rotated)
        {
            LogRotated(path, _options.AccessLogMaxBytes, _runner.Name);
        }

        if (!result.Succeeded)
        {
            // Not fatal: the logs were moved (nginx writes on into the .1 files until it reopens them, at its next start or reload).
            LogRotationFailed(NginxMessages(result), _runner.Name);
        }

        return rotated;
    }

    /// <summary>
    /// After a route change (which is done whatever happens here), when the last check is a minute old: rotation is
    /// housekeeping, its failure only logged, and a deploy's several route changes pay for one check.
    /// </summary>
    private async Task RotateLogsAfterApplyAsync()
    {
        try
        {
            var layout = await GetLayoutAsync(CancellationToken.None);
            await RotateLogsIfDueAsync(layout, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRotationFailed(ex.Message, _runner.Name);
        }
    }

    private async Task RotateLogsIfDueAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        if (layout.Mode == NginxMode.Managed && _options.AccessLogMaxBytes > 0
            && (_lastRotationCheck is null || _time.GetUtcNow() - _lastRotationCheck >= RotationCheckInterval))
        {
            await RotateLogsAsync(cancellationToken);
        }
    }

    /// <summary>One analysis window's reading state: where it has read up to and what it has counted.</summary>
    private sealed class TrafficAnalysis
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public LogCursor Cursor { get; } = new();

        public TrafficTally Tally { get; } = new();

        public List<string> Gaps { get; } = [];

        public DateTimeOffset To { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastUsed { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the access log {Path} (over {MaxBytes} bytes) on {Host}")]
    private partial void LogRotated(string path, long maxBytes, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx did not reopen or reload its logs after a rotation on {Host}: {Errors}")]
    private partial void LogRotationFailed(string errors, string host);
}
