using System.Collections.Concurrent;
using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging;

namespace DeployMind.Application.Records;

/// <summary>
/// A deployment's log as it is written: lines are queued without waiting and written to the store in batches (every
/// quarter second, and on <see cref="FlushAsync"/>), so a fast build log does not turn into one write per line and
/// <c>deploymind logs --follow</c> sees lines within a moment. A store that fails is reported once, not per line: the
/// deployment itself goes on.
/// </summary>
internal sealed class DeploymentLog : IAsyncDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly IDeploymentStore _store;
    private readonly Guid _deploymentId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<LogEntry> _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Security.SecretValues? _secrets;
    private bool _failed;

    /// <summary>A log of deployment <paramref name="deploymentId"/>; <paramref name="secrets"/>, the job's resolved secret values, are masked in every line written.</summary>
    public DeploymentLog(IDeploymentStore store, Guid deploymentId, TimeProvider time, ILogger logger, Security.SecretValues? secrets = null)
    {
        _secrets = secrets;
        _store = store;
        _deploymentId = deploymentId;
        _time = time;
        _logger = logger;
        _loop = Task.Run(FlushPeriodicallyAsync);
    }

    /// <summary>Queues a line (free of secrets: the job's resolved values are masked here too).</summary>
    public void Write(string stage, string text) => _pending.Enqueue(new LogEntry(_time.GetUtcNow(), stage, _secrets?.Redact(text) ?? text));

    /// <summary>An observer that writes the deploy's steps and each distinct health report here, then passes them on.</summary>
    public IDeployObserver Observe(IDeployObserver? next) => new LoggingDeployObserver(this, next);

    /// <summary>A progress sink that writes build output here, then passes it on.</summary>
    public IProgress<BuildProgress> Observe(IProgress<BuildProgress>? next) => new LoggingBuildProgress(this, next);

    /// <summary>Writes what is queued.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            var batch = new List<LogEntry>();
            while (_pending.TryDequeue(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0 || _failed)
            {
                return;
            }

            try
            {
                await _store.AppendLogAsync(_deploymentId, batch, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failed = true;
                _logger.LogWarning(ex, "The log of deployment {Id} could not be recorded ({Store}); the deployment goes on.", _deploymentId, _store.Description);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await FlushAsync(CancellationToken.None);
        _stop.Dispose();
        _writing.Dispose();
    }

    private async Task FlushPeriodicallyAsync()
    {
        using var timer = new PeriodicTimer(Period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                await FlushAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: DisposeAsync writes the rest.
        }
    }

    private sealed class LoggingDeployObserver(DeploymentLog log, IDeployObserver? next) : IDeployObserver
    {
        private string? _lastHealth;

        public void Step(string host, string message)
        {
            log.Write("deploy", $"{host}: {message}");
            next?.Step(host, message);
        }

        public void Health(string host, HealthReport report)
        {
            // Health reports repeat while nothing changes; the log keeps each distinct one.
            var line = $"{host}: health {report.Summary}";
            if (line != _lastHealth)
            {
                _lastHealth = line;
                log.Write("deploy", line);
            }

            next?.Health(host, report);
        }

        public void Progress(string host, string message)
        {
            // A few lines a step (StepProgress paces them): the record shows the step was watched, and how it went.
            log.Write("deploy", $"{host}: {message}");
            next?.Progress(host, message);
        }
    }

    private sealed class LoggingBuildProgress(DeploymentLog log, IProgress<BuildProgress>? next) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value)
        {
            log.Write("build", value.Line);
            next?.Report(value);
        }
    }
}
