using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Application.Webhooks;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Previews;

/// <summary>
/// The server's periodic chores, every <c>server.previews.sweepInterval</c>: the preview sweep (<see cref="PreviewSweep"/>,
/// while previews are on) and the deletion of webhook deliveries older than <c>server.deliveryRetention</c>; and, at start
/// and every <see cref="RenewalInterval"/>, the renewal of the ACME certificates that are due on the configured hosts.
/// </summary>
internal sealed partial class Housekeeping(
    PreviewSweep sweep, IServiceScopeFactory scopes, IWebhookDeliveries deliveries, IOptions<ServerOptions> options, TimeProvider time, ILogger<Housekeeping> logger) : BackgroundService
{
    /// <summary>
    /// How often certificates are checked for renewal: twice a day, as certbot's own timer does (a certificate is renewed
    /// weeks before it expires, and a failed attempt is retried at the next check without hitting a CA's rate limits).
    /// </summary>
    public static readonly TimeSpan RenewalInterval = TimeSpan.FromHours(12);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var interval = settings.Previews.SweepIntervalValue;
        DateTimeOffset? lastRenewal = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (settings.Previews.Enabled)
                {
                    var queued = await sweep.SweepAsync(stoppingToken);
                    if (queued.Count > 0)
                    {
                        LogSwept(queued.Count);
                    }
                }

                // The cleanup reaches hosts with this process's settings, in a scope of its own (like a job's).
                using var scope = scopes.CreateScope();
                var ended = await scope.ServiceProvider.GetRequiredService<InterruptedDeployments>().ReconcileAsync(stoppingToken);
                if (ended.Count > 0)
                {
                    LogInterrupted(ended.Count);
                }

                if (lastRenewal is null || time.GetUtcNow() - lastRenewal >= RenewalInterval)
                {
                    lastRenewal = time.GetUtcNow();
                    var renewals = await scope.ServiceProvider.GetRequiredService<Application.Deploy.Domains.CertificateRenewals>().RenewDueAsync(stoppingToken);
                    var renewed = renewals.Count(r => r.Renewal.Outcome == "renewed");
                    var failed = renewals.Count(r => r.Renewal.Failed);
                    if (renewed + failed > 0)
                    {
                        LogCertificates(renewed, failed);
                    }
                }

                var pruned = await deliveries.PruneAsync(time.GetUtcNow() - settings.DeliveryRetentionValue, stoppingToken);
                if (pruned > 0)
                {
                    LogPruned(pruned);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex.Message);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recorded {Count} interrupted deployment(s) as failed (their process was gone).")]
    private partial void LogInterrupted(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Certificates: {Renewed} renewed, {Failed} failed to renew (see the log lines above).")]
    private partial void LogCertificates(int renewed, int failed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} webhook deliveries older than server.deliveryRetention.")]
    private partial void LogPruned(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Housekeeping failed ({Reason}); it runs again at the next interval.")]
    private partial void LogFailed(string reason);
}
