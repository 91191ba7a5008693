using DeployMind.Application.Webhooks;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Previews;

/// <summary>Runs <see cref="PreviewSweep"/> every <c>server.previews.sweepInterval</c> while previews are on.</summary>
internal sealed partial class PreviewSweeper(PreviewSweep sweep, IOptions<ServerOptions> options, TimeProvider time, ILogger<PreviewSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var previews = options.Value.Previews;
        if (!previews.Enabled)
        {
            return;
        }

        var interval = previews.SweepIntervalValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queued = await sweep.SweepAsync(stoppingToken);
                if (queued.Count > 0)
                {
                    LogSwept(queued.Count);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(ex.Message);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queued the removal of {Count} expired preview(s).")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The preview sweep failed ({Reason}); it runs again at the next interval.")]
    private partial void LogSweepFailed(string reason);
}
