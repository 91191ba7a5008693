using System.Threading.Channels;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Application.Webhooks;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Notifications;

/// <summary>
/// Turns deployments' state changes into notifications. It is one of the process's <see cref="IDeploymentReporter"/>s, so
/// every path that records a change — the CLI's deploy, a worker's run of an API or webhook job, a rollback, a superseded
/// job — reaches it the same way. <see cref="Report"/> only queues; one background loop sends each notice to every
/// channel that asks for it, all channels at once, each bounded by <c>notifications.timeout</c>. A channel that fails or
/// is too slow is logged and recorded in the deployment's log as a warning (its URL and secrets redacted); it never
/// fails, stops or slows a deployment.
/// <para>
/// The channels are the process's settings, or — for a deployment whose job opened its app's configuration in this
/// process (<see cref="Remember"/>) — those with the app's <c>deploymind.yml</c> above them.
/// </para>
/// </summary>
public sealed partial class NotificationDispatcher : IDeploymentReporter, IDeploymentNotifier, IAsyncDisposable, IDisposable
{
    private const int Remembered = 2048;

    private readonly IServiceScopeFactory _scopes;
    private readonly Dictionary<string, INotificationSender> _senders;
    private readonly IDeploymentStore _store;
    private readonly string _fallbackBase;
    private readonly TimeProvider _time;
    private readonly ILogger<NotificationDispatcher> _logger;

    private readonly Channel<(DeploymentNotice Notice, NotificationOptions Options)> _queue =
        Channel.CreateUnbounded<(DeploymentNotice, NotificationOptions)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, NotificationOptions> _routes = [];
    private readonly Queue<Guid> _routeOrder = new();
    private readonly HashSet<(Guid, NotificationEvent)> _sent = [];
    private readonly Queue<(Guid, NotificationEvent)> _sentOrder = new();
    private readonly CancellationTokenSource _stopping = new();
    private NotificationOptions? _process;
    /// <summary>How long, past the longest send timeout, a disposing dispatcher waits for a failed send's warning to be recorded.</summary>
    private static readonly TimeSpan RecordingSlack = TimeSpan.FromSeconds(5);

    private TaskCompletionSource _idle = Completed();
    private int _outstanding;
    private Task? _loop;
    private bool _disposed;
    private long _longestTimeoutTicks = TimeSpan.FromSeconds(1).Ticks;

    public NotificationDispatcher(
        IServiceScopeFactory scopes, IEnumerable<INotificationSender> senders, IDeploymentStore store, IOptions<ServerOptions> server, TimeProvider time, ILogger<NotificationDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(senders);
        ArgumentNullException.ThrowIfNull(server);
        _scopes = scopes ?? throw new ArgumentNullException(nameof(scopes));
        _senders = senders.ToDictionary(s => s.Type, StringComparer.OrdinalIgnoreCase);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _fallbackBase = server.Value.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "http://127.0.0.1:8090";
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The link to a deployment's page: <c>{publicUrl}/deployments/{id}</c>.</summary>
    public static Uri LinkOf(NotificationOptions options, string fallbackBase, Guid id)
    {
        ArgumentNullException.ThrowIfNull(options);
        var root = string.IsNullOrWhiteSpace(options.PublicUrl) ? fallbackBase : options.PublicUrl.Trim();
        return new Uri($"{root.TrimEnd('/')}/deployments/{id:D}", UriKind.Absolute);
    }

    /// <summary>
    /// The event a report of a state change is, or null (queued, and further stages once started): started when the run
    /// leaves the queue, then how it ended. A succeeded rollback is <see cref="NotificationEvent.RolledBack"/>.
    /// </summary>
    public static NotificationEvent? EventOf(DeploymentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.State switch
        {
            DeploymentState.Scanning or DeploymentState.Building or DeploymentState.Deploying or DeploymentState.Verifying => NotificationEvent.Started,
            DeploymentState.Succeeded => report.RollbackOf is null ? NotificationEvent.Succeeded : NotificationEvent.RolledBack,
            DeploymentState.Failed => NotificationEvent.Failed,
            DeploymentState.RolledBack => NotificationEvent.RolledBack,
            DeploymentState.Superseded => NotificationEvent.Superseded,
            DeploymentState.Cancelled => NotificationEvent.Cancelled,
            _ => null,
        };
    }

    /// <summary>Whether <paramref name="channel"/> wants <paramref name="notice"/> (enabled, its events, environments and apps).</summary>
    public static bool Wants(NotificationChannelOptions channel, DeploymentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(notice);
        return channel.Enabled
            && (channel.Events.Count == 0 || channel.Events.Any(e => NotificationEvents.Parse(e) == notice.Event))
            && (channel.Environments.Count == 0 || channel.Environments.Any(e => string.Equals(e?.Trim(), notice.Deployment.Environment, StringComparison.OrdinalIgnoreCase)))
            && (channel.Apps.Count == 0 || channel.Apps.Any(a => string.Equals(a?.Trim(), notice.Deployment.App, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The deployment's channels are <paramref name="options"/> (its app's configuration, as its job read it).</summary>
    public void Remember(Guid deploymentId, NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (_gate)
        {
            if (!_routes.ContainsKey(deploymentId))
            {
                _routeOrder.Enqueue(deploymentId);
                if (_routeOrder.Count > Remembered)
                {
                    _routes.Remove(_routeOrder.Dequeue());
                }
            }

            _routes[deploymentId] = options;
        }
    }

    /// <inheritdoc />
    public void Report(DeploymentReport report)
    {
        if (report is not null && EventOf(report) is { } kind)
        {
            Enqueue(kind, report, null);
        }
    }

    /// <inheritdoc />
    public bool LockWaiting(DeploymentReport report, TimeSpan waited, string detail)
    {
        ArgumentNullException.ThrowIfNull(report);
        var options = OptionsFor(report.Id);
        var threshold = Duration.TryParse(options.LockWait, out var value) ? value : TimeSpan.FromMinutes(5);
        return waited >= threshold && Enqueue(NotificationEvent.LockWait, report, $"{detail} (for {Duration.Format(waited)}; notifications.lockWait is {Duration.Format(threshold)})");
    }

    /// <summary>Waits until every queued notice was sent or given up; returns (without throwing) when <paramref name="cancellationToken"/> fires first.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            idle = _idle.Task;
        }

        try
        {
            await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller's deadline.
        }
    }

    /// <summary>Sends what is queued (each send still bounded by its timeout), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        _queue.Writer.TryComplete();
        if (loop is not null)
        {
            // A process that ends right after a deploy (the CLI) still sends its last notices: at most one timeout more, and
            // time to record a failed one's warning in the deployment's log (a loaded machine took more than a second).
            // (The options queued with each notice are known; the container may be half disposed by now.)
            var bound = TimeSpan.FromTicks(Interlocked.Read(ref _longestTimeoutTicks));
            try
            {
                await loop.WaitAsync(bound + RecordingSlack, _time).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
                await loop.ConfigureAwait(false);
            }
        }

        lock (_gate)
        {
            _idle.TrySetResult();
        }

        _stopping.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private bool Enqueue(NotificationEvent kind, DeploymentReport report, string? detail)
    {
        NotificationOptions options;
        try
        {
            options = OptionsFor(report.Id);
        }
        catch (OptionsValidationException ex)
        {
            LogBadSettings(string.Join("; ", ex.Failures));
            return false;
        }

        if (options.Channels.Count == 0)
        {
            return false;
        }

        var notice = new DeploymentNotice(kind, report, LinkOf(options, _fallbackBase, report.Id), detail);
        if (!options.Channels.Values.Any(c => c is not null && Wants(c, notice)))
        {
            return false;
        }

        lock (_gate)
        {
            // Each event once per deployment: several paths may report the same end (a rollback's runner and its job).
            if (_disposed || !_sent.Add((report.Id, kind)))
            {
                return false;
            }

            _sentOrder.Enqueue((report.Id, kind));
            if (_sentOrder.Count > Remembered * 4)
            {
                _sent.Remove(_sentOrder.Dequeue());
            }

            if (_outstanding++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (Duration.TryParse(options.Timeout, out var timeout) && timeout.Ticks > _longestTimeoutTicks)
            {
                Interlocked.Exchange(ref _longestTimeoutTicks, timeout.Ticks);
            }

            _queue.Writer.TryWrite((notice, options));
            _loop ??= Task.Run(RunAsync);
        }

        return true;
    }

    private NotificationOptions OptionsFor(Guid id)
    {
        lock (_gate)
        {
            if (_routes.TryGetValue(id, out var remembered))
            {
                return remembered;
            }
        }

        return ProcessOptions();
    }

    private NotificationOptions ProcessOptions()
    {
        if (Volatile.Read(ref _process) is { } known)
        {
            return known;
        }

        // The section is bound per scope (an app's scope sees its deploymind.yml); a plain scope has the process's settings.
        using var scope = _scopes.CreateScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value;
        Volatile.Write(ref _process, options);
        return options;
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await foreach (var (notice, options) in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await SendAsync(notice, options, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A notification never stops the loop: the failure is logged.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogUnexpected(notice.Deployment.Id, ex.GetType().Name);
                }
                finally
                {
                    lock (_gate)
                    {
                        if (--_outstanding == 0)
                        {
                            _idle.TrySetResult();
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SendAsync(DeploymentNotice notice, NotificationOptions options, CancellationToken stopping)
    {
        var timeout = Duration.TryParse(options.Timeout, out var value) && value > TimeSpan.Zero ? value : TimeSpan.FromSeconds(10);
        var channels = options.Channels.Where(c => c.Value is not null && Wants(c.Value, notice)).ToList();
        var failures = await Task.WhenAll(channels.Select(c => SendOneAsync(notice, c.Key, c.Value, timeout, stopping))).ConfigureAwait(false);
        var problems = failures.OfType<string>().ToList();
        if (problems.Count == 0)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            await _store.AppendLogAsync(notice.Deployment.Id, [.. problems.Select(p => new LogEntry(now, "notify", p))], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordFailed(notice.Deployment.Id, ex.Message);
        }
    }

    /// <summary>Sends to one channel; null when it was accepted, else the warning to record (secrets redacted).</summary>
    private async Task<string?> SendOneAsync(DeploymentNotice notice, string name, NotificationChannelOptions channel, TimeSpan timeout, CancellationToken stopping)
    {
        var type = channel.Type?.Trim().ToLowerInvariant() ?? "?";
        var key = $"notifications.channels.{name}";
        NotificationTarget? target = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);
        var started = _time.GetTimestamp();
        try
        {
            if (!_senders.TryGetValue(type, out var sender))
            {
                throw new DeployMindException($"{key}.type: no sender for '{type}'");
            }

            target = new NotificationTarget(
                name,
                channel,
                Url(NotificationSecrets.Read(channel.UrlVariable, channel.UrlFile, $"{key}.url"), key),
                NotificationSecrets.Read(channel.SecretVariable, channel.SecretFile, $"{key}.secret"),
                NotificationSecrets.Read(channel.Smtp.PasswordVariable, channel.Smtp.PasswordFile, $"{key}.smtp.password"));

            // The sender gets its own task: one that blocks before its first await is still bounded by the timeout.
            var send = Task.Run(() => sender.SendAsync(notice, target, deadline.Token), CancellationToken.None);
            await send.WaitAsync(timeout, _time, stopping).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            var kind = notice.Event.Name();
            LogSent(kind, notice.Deployment.Id, name, type, elapsed);
            return null;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            var warning = $"warning: notification '{name}' ({type}) of {notice.Event.Name()} was not sent: no answer within {Duration.Format(timeout)} (notifications.timeout)";
            LogNotSent(notice.Deployment.Id, warning);
            return warning;
        }
        catch (Exception ex)
        {
            var reason = Flatten(ex);
            reason = target?.Redact(reason) ?? reason;
            var warning = $"warning: notification '{name}' ({type}) of {notice.Event.Name()} was not sent: {reason}";
            LogNotSent(notice.Deployment.Id, warning);
            return warning;
        }
    }

    private static Uri? Url(string? text, string key)
    {
        if (text is null)
        {
            return null;
        }

        // Never put the text in the message: it is the secret.
        return Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new DeployMindException($"{key}: the value is not an http(s) URL");
    }

    private static string Flatten(Exception ex)
    {
        var messages = new List<string>();
        for (var e = ex; e is not null && messages.Count < 3; e = e.InnerException)
        {
            if (!messages.Contains(e.Message))
            {
                messages.Add(e.Message);
            }
        }

        var text = string.Join(": ", messages);
        return text.Length > 300 ? text[..300] + "…" : text;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notified {Event} of deployment {Id} to {Channel} ({Type}) in {Elapsed}.")]
    private partial void LogSent(string @event, Guid id, string channel, string type, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id}: {Warning}")]
    private partial void LogNotSent(Guid id, string warning);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id}: the failed notification could not be recorded in its log: {Reason}")]
    private partial void LogRecordFailed(Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications are off: their settings are invalid: {Problems}")]
    private partial void LogBadSettings(string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id}: a notification failed unexpectedly ({Type}).")]
    private partial void LogUnexpected(Guid id, string type);
}
