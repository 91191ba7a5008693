using Prometheus;

namespace DeployMind.Server.Metrics;

/// <summary>
/// The server's Prometheus metrics (served at <c>/metrics</c>): webhook deliveries by result, jobs queued, deployments
/// finished by outcome and their durations, and each worker queue's depth (read when scraped).
/// </summary>
internal static class ServerMetrics
{
    public static readonly Counter WebhookDeliveries = Prometheus.Metrics.CreateCounter(
        "deploymind_webhook_deliveries_total", "GitHub webhook deliveries, by event and what was done (queued, duplicate, ignored, pong, unauthorized, bad_request, too_large, timeout, busy, unavailable).", "event", "result");

    public static readonly Counter JobsQueued = Prometheus.Metrics.CreateCounter(
        "deploymind_jobs_queued_total", "Deployment jobs queued by the server, by environment and source (webhook, api).", "environment", "source");

    public static readonly Counter DeploymentsFinished = Prometheus.Metrics.CreateCounter(
        "deploymind_deployments_finished_total", "Deployments run by this server's workers, by environment and outcome (succeeded, failed, rolled_back, cancelled, superseded).", "environment", "outcome");

    public static readonly Histogram DeploymentDuration = Prometheus.Metrics.CreateHistogram(
        "deploymind_deployment_duration_seconds", "How long this server's workers' deployments took, from queued to finished.",
        new HistogramConfiguration { LabelNames = ["environment", "outcome"], Buckets = Histogram.ExponentialBuckets(1, 2, 12) });

    public static readonly Gauge QueueWaiting = Prometheus.Metrics.CreateGauge(
        "deploymind_queue_waiting_jobs", "Jobs waiting in each environment's queue.", "environment");

    public static readonly Gauge QueueInFlight = Prometheus.Metrics.CreateGauge(
        "deploymind_queue_in_flight_jobs", "Jobs being run from each environment's queue.", "environment");

    public static readonly Gauge QueueDeadLetters = Prometheus.Metrics.CreateGauge(
        "deploymind_queue_dead_letters", "Jobs given up on in each environment's queue.", "environment");

    /// <summary>An event name as a label: the ones that matter by name, the rest as "other" (labels must stay few).</summary>
    public static string EventLabel(string? name) => name is "push" or "pull_request" or "ping" ? name : "other";
}
