using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Persistence;

// The tables. Instants are Unix milliseconds: they sort and compare the same on SQLite and PostgreSQL.
// Enums are stored by name so the database stays readable with sqlite3/psql.

/// <summary>A deployment (table <c>deployments</c>).</summary>
internal sealed class DeploymentRow
{
    /// <summary>The id, lower-case "D" format: users look deployments up by its first characters.</summary>
    public string Id { get; set; } = string.Empty;

    public string App { get; set; } = string.Empty;

    public string Environment { get; set; } = string.Empty;

    public StrategyKind Strategy { get; set; }

    public DeploymentState State { get; set; }

    /// <summary>The aggregate's version: the concurrency token.</summary>
    public int Version { get; set; }

    public string TriggeredBy { get; set; } = string.Empty;

    public long CreatedAtMs { get; set; }

    public long UpdatedAtMs { get; set; }

    public string? Repository { get; set; }

    public string? Branch { get; set; }

    public string? Commit { get; set; }

    public string? RollbackOf { get; set; }

    public int? PullRequest { get; set; }

    public bool IsTeardown { get; set; }

    /// <summary>When a cancel was asked for (written on its own, never by a save of the aggregate).</summary>
    public long? CancelRequestedAtMs { get; set; }

    public PipelineStage? FailedStage { get; set; }

    public string? Reason { get; set; }

    public string? Target { get; set; }

    public string? ReleaseId { get; set; }

    public string? Url { get; set; }

    /// <summary>The port nginx serves the release on (Docker hosts): what a later deploy without --port keeps.</summary>
    public int? ListenPort { get; set; }

    public string? ImageTag { get; set; }

    public double? ImageSizeMb { get; set; }

    /// <summary>The builder that built the image (e.g. "BuildKit (docker buildx)"); null for older rows.</summary>
    public string? ImageBuilder { get; set; }

    public int? HealthChecksPassed { get; set; }

    public int? HealthChecksRequired { get; set; }

    public int? CanaryPercentReached { get; set; }

    /// <summary>A canary's last judged step (<see cref="Domain.Deploy.CanaryFigures"/>) as JSON; null for other strategies and older rows.</summary>
    public string? CanaryFigures { get; set; }
}

/// <summary>One timeline entry (table <c>deployment_events</c>).</summary>
internal sealed class EventRow
{
    public long Id { get; set; }

    public string DeploymentId { get; set; } = string.Empty;

    /// <summary>0-based position in the deployment's timeline.</summary>
    public int Sequence { get; set; }

    public long AtMs { get; set; }

    public DeploymentState From { get; set; }

    public DeploymentState To { get; set; }

    public string Detail { get; set; } = string.Empty;
}

/// <summary>One log line (table <c>deployment_logs</c>); <see cref="Id"/> is the follow cursor.</summary>
internal sealed class LogRow
{
    public long Id { get; set; }

    public string DeploymentId { get; set; } = string.Empty;

    public long AtMs { get; set; }

    public string Stage { get; set; } = string.Empty;

    public string Text { get; set; } = string.Empty;
}

/// <summary>One security finding (table <c>deployment_findings</c>), excerpt redacted.</summary>
internal sealed class FindingRow
{
    public long Id { get; set; }

    public string DeploymentId { get; set; } = string.Empty;

    /// <summary>secrets, image, ...: which scan found it.</summary>
    public string Source { get; set; } = string.Empty;

    public string RuleId { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public Severity Severity { get; set; }

    public SecurityFindingKind Kind { get; set; }

    public string File { get; set; } = string.Empty;

    public int Line { get; set; }

    public int Column { get; set; }

    public string RedactedExcerpt { get; set; } = string.Empty;

    public bool Blocking { get; set; }
}

/// <summary>One judged canary step (table <c>deployment_canary_steps</c>): its figures as JSON (<see cref="Application.Records.RecordedCanaryStep"/>).</summary>
internal sealed class CanaryStepRow
{
    public long Id { get; set; }

    public string DeploymentId { get; set; } = string.Empty;

    /// <summary>The canary's weight in the step.</summary>
    public int Percent { get; set; }

    /// <summary>The step's figures, limits and verdict.</summary>
    public string Figures { get; set; } = string.Empty;
}

/// <summary>One stage agent's explanation (table <c>deployment_explanations</c>), redacted as the timeline is.</summary>
internal sealed class ExplanationRow
{
    public long Id { get; set; }

    public string DeploymentId { get; set; } = string.Empty;

    /// <summary>scan, build, deploy or verify.</summary>
    public string Stage { get; set; } = string.Empty;

    public string Agent { get; set; } = string.Empty;

    public string Text { get; set; } = string.Empty;

    /// <summary>The recommendations, one per line.</summary>
    public string Recommendations { get; set; } = string.Empty;

    /// <summary>halt or none.</summary>
    public string Verdict { get; set; } = string.Empty;

    /// <summary>The model that wrote it, or "rules".</summary>
    public string Model { get; set; } = string.Empty;
}

/// <summary>A stage agent's readable answer (table <c>agent_answers</c>), by the SHA-256 of its question.</summary>
internal sealed class AgentAnswerRow
{
    public string Key { get; set; } = string.Empty;

    /// <summary>The answer as JSON (already redacted: it was written from a redacted question).</summary>
    public string Answer { get; set; } = string.Empty;

    public long CreatedAtMs { get; set; }
}

/// <summary>Where a job is in the embedded queue (column <c>jobs.State</c>).</summary>
internal enum JobState
{
    /// <summary>Not taken yet (or handed back); takeable from <see cref="JobRow.VisibleAtMs"/> on.</summary>
    Waiting,

    /// <summary>Held by <see cref="JobRow.TakenBy"/> under <see cref="JobRow.LeaseNonce"/>; taken over when not touched for the visibility timeout.</summary>
    Taken,

    /// <summary>Failed past the delivery limit: a dead letter, with <see cref="JobRow.LastError"/>.</summary>
    Dead,

    /// <summary>Acked, kept only so its idempotency key still finds it (pruned after a retention period).</summary>
    Done,
}

/// <summary>
/// A job of the embedded queue (table <c>jobs</c>). <see cref="Id"/> is the row id: enqueue order, and with
/// <see cref="LeaseNonce"/> the lease token. Every state change is one conditional UPDATE on this row.
/// </summary>
internal sealed class JobRow
{
    public long Id { get; set; }

    /// <summary>The job's (and its deployment's) id, lower-case "D" format.</summary>
    public string JobId { get; set; } = string.Empty;

    public string Environment { get; set; } = string.Empty;

    /// <summary>Stored by number, not name: it is the sort order (0 manual, 1 webhook).</summary>
    public JobPriority Priority { get; set; }

    /// <summary>Unique when set: a second enqueue with the same key finds this row.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>The whole <see cref="DeployJob"/>, JSON.</summary>
    public string Payload { get; set; } = string.Empty;

    public long EnqueuedAtMs { get; set; }

    public JobState State { get; set; }

    /// <summary>A waiting job is not taken before this instant (a release's or a failure's delay).</summary>
    public long VisibleAtMs { get; set; }

    public string? TakenBy { get; set; }

    public long? TakenAtMs { get; set; }

    /// <summary>Last take or touch: a taken job idle past the visibility timeout is taken over.</summary>
    public long? TouchedAtMs { get; set; }

    /// <summary>How many times it was taken (a release gives its delivery back).</summary>
    public int Deliveries { get; set; }

    /// <summary>Identifies the current holding: a lease from an earlier holding cannot touch, ack or fail the job.</summary>
    public string? LeaseNonce { get; set; }

    public string? LastError { get; set; }

    public long? DeadAtMs { get; set; }

    public long? AckedAtMs { get; set; }
}

/// <summary>A held deploy lock (table <c>locks</c>); a row past <see cref="ExpiresAtMs"/> is a free lock.</summary>
internal sealed class LockRow
{
    public string Target { get; set; } = string.Empty;

    public string Owner { get; set; } = string.Empty;

    /// <summary>The fencing token of this holding.</summary>
    public long Token { get; set; }

    /// <summary>Identifies this holding for compare-and-extend/-release.</summary>
    public string Nonce { get; set; } = string.Empty;

    public long ExpiresAtMs { get; set; }
}

/// <summary>The newest fencing token a step on a target was taken under (table <c>fences</c>).</summary>
internal sealed class FenceRow
{
    public string Target { get; set; } = string.Empty;

    public long Token { get; set; }
}

/// <summary>The last fencing token handed out for a target (table <c>lock_counters</c>); it only grows.</summary>
internal sealed class LockCounterRow
{
    public string Target { get; set; } = string.Empty;

    public long LastToken { get; set; }
}

/// <summary>An API token (table <c>api_tokens</c>): only its SHA-256 hash is kept; the token itself is shown once, when created.</summary>
internal sealed class ApiTokenRow
{
    public string Name { get; set; } = string.Empty;

    /// <summary>Lower-case hex SHA-256 of the token.</summary>
    public string Hash { get; set; } = string.Empty;

    public long CreatedAtMs { get; set; }

    public long? LastUsedAtMs { get; set; }

    public long? RevokedAtMs { get; set; }

    /// <summary>read, deploy or admin; tokens made before scopes existed are deploy (what they could do then).</summary>
    public string Scope { get; set; } = "deploy";
}

/// <summary>A received webhook delivery (table <c>webhook_deliveries</c>) and what was done with it.</summary>
internal sealed class WebhookDeliveryRow
{
    public long Id { get; set; }

    /// <summary>X-GitHub-Delivery.</summary>
    public string DeliveryId { get; set; } = string.Empty;

    public string Event { get; set; } = string.Empty;

    public string? Action { get; set; }

    public string? Repository { get; set; }

    public long ReceivedAtMs { get; set; }

    /// <summary>queued, duplicate, ignored, rejected.</summary>
    public string Result { get; set; } = string.Empty;

    public string Detail { get; set; } = string.Empty;

    public string? DeploymentId { get; set; }
}
