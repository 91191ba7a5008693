using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Application.Webhooks;
using DeployMind.Server.Metrics;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Workers;

/// <summary>
/// The workers <c>deploymind serve</c> runs itself (<c>server.workers</c>): one <see cref="DeployWorker"/> per
/// environment queue, with the job runner the host registered. On shutdown no new job is taken and the jobs in flight get
/// the host's shutdown timeout to finish; then they are cancelled and handed back (another worker takes them over).
/// </summary>
public sealed partial class WorkerHostedService : IHostedService, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly ServerOptions _options;
    private readonly ILogger<WorkerHostedService> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abort = new();
    private Task _running = Task.CompletedTask;

    public WorkerHostedService(IServiceProvider services, IOptions<ServerOptions> options, ILogger<WorkerHostedService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The environments whose queues the workers take jobs from (empty when the workers are off).</summary>
    public IReadOnlyList<string> Environments { get; private set; } = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var workers = _options.Workers;
        var runner = _services.GetService<IJobRunner>();
        if (!workers.Enabled || runner is null)
        {
            LogWorkersOff(workers.Enabled ? "no job runner is registered" : "server.workers.enabled is false");
            return Task.CompletedTask;
        }

        var worker = new DeployWorker(
            _services.GetRequiredService<IJobQueue>(),
            _services.GetRequiredService<IDeployLock>(),
            new MeteredJobRunner(runner),
            _services.GetRequiredService<IDeploymentStore>(),
            _services.GetRequiredService<IOptions<QueueOptions>>(),
            _services.GetRequiredService<TimeProvider>(),
            _services.GetRequiredService<ILogger<DeployWorker>>())
        {
            Reporter = _services.GetRequiredService<IDeploymentReporter>(),
            Notifier = _services.GetService<Application.Notifications.IDeploymentNotifier>(),
        };
        Environments = workers.EnvironmentsOr(_options.Previews.Environment);
        var name = $"server-{Environment.ProcessId}@{Environment.MachineName}";
        var concurrency = Math.Clamp(workers.Concurrency, 1, 64);
        var queues = string.Join(", ", Environments);
        LogWorkersOn(queues, concurrency);
        _running = Task.WhenAll(Environments.Select(environment =>
            Task.Run(() => worker.RunAsync(environment, $"{name}/{environment}", concurrency, _stopping.Token, _abort.Token), CancellationToken.None)));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        try
        {
            await _running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The shutdown timeout passed: the jobs in flight are cancelled and handed back.
            await _abort.CancelAsync();
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                LogAbandoned();
            }
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _abort.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workers take jobs of {Environments} ({Concurrency} at a time each).")]
    private partial void LogWorkersOn(string environments, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "No workers in this server ({Why}): jobs wait for `deploymind worker`.")]
    private partial void LogWorkersOff(string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jobs still running after the shutdown timeout were abandoned; their leases expire and other workers take them over.")]
    private partial void LogAbandoned();
}
