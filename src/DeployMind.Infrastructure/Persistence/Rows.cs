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

    public PipelineStage? FailedStage { get; set; }

    public string? Reason { get; set; }

    public string? Target { get; set; }

    public string? ReleaseId { get; set; }

    public string? Url { get; set; }

    public string? ImageTag { get; set; }

    public double? ImageSizeMb { get; set; }

    public int? HealthChecksPassed { get; set; }

    public int? HealthChecksRequired { get; set; }

    public int? CanaryPercentReached { get; set; }
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
