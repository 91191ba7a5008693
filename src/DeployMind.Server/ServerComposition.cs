using DeployMind.Application.Jobs;
using DeployMind.Application.Webhooks;
using DeployMind.Server.Api;
using DeployMind.Server.Dashboard;
using DeployMind.Server.Health;
using DeployMind.Server.Http;
using DeployMind.Server.Metrics;
using DeployMind.Server.Previews;
using DeployMind.Server.Webhooks;
using DeployMind.Server.Workers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DeployMind.Server;

/// <summary>
/// The server's part of the wiring: the host (the CLI's <c>serve</c>) adds the same application and infrastructure
/// registrations as every command, and an <see cref="IJobRunner"/> for its workers; this adds the endpoints, API
/// authentication, the limits on what unauthenticated callers may cost (<see cref="ServerLimits"/>), security headers,
/// metrics, the workers and the preview sweeper.
/// </summary>
public static class ServerComposition
{
    /// <summary>Registers the server's services.</summary>
    public static WebApplicationBuilder AddDeployMindServer(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOpenApi();
        services.TryAddSingleton(new ServerLimits());
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton<WebhookGate>();
        services.TryAddSingleton<FailedTokenThrottle>();
        services.AddApiAuthentication();
        services.AddDashboard();
        services.AddSingleton<WorkerHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkerHostedService>());
        services.AddHostedService<Housekeeping>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>Maps every endpoint: webhooks, the API, health, metrics and the OpenAPI document (<c>/openapi/v1.json</c>).</summary>
    public static WebApplication MapDeployMind(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        HealthEndpoints.Map(app);
        GitHubWebhookEndpoint.Map(app);
        ApiEndpoints.Map(app);
        DashboardEndpoints.Map(app);
        app.MapOpenApi();
        MapMetrics(app);
        return app;
    }

    private static void MapMetrics(WebApplication app)
    {
        var queue = app.Services.GetRequiredService<IJobQueue>();
        var options = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
        var environments = options.Workers.EnvironmentsOr(options.Previews.Environment);
        Prometheus.Metrics.DefaultRegistry.AddBeforeCollectCallback(async cancellationToken =>
        {
            foreach (var environment in environments)
            {
                try
                {
                    var stats = await queue.StatsAsync(environment, cancellationToken);
                    ServerMetrics.QueueWaiting.WithLabels(environment).Set(stats.Waiting);
                    ServerMetrics.QueueInFlight.WithLabels(environment).Set(stats.InFlight);
                    ServerMetrics.QueueDeadLetters.WithLabels(environment).Set(stats.DeadLetters);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The queue is down: the gauges keep their last values; /readyz says why.
                }
            }
        });
        app.MapMetrics("/metrics");
    }
}
