using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>
/// Where deployments are recorded: the aggregate with its timeline, its log and its findings. Safe for several
/// processes at once; a save that lost a race with another writer fails with <see cref="ConcurrencyConflictException"/>
/// instead of overwriting it.
/// </summary>
public interface IDeploymentStore
{
    /// <summary>Records a new deployment.</summary>
    /// <exception cref="DeploymentExistsException">A deployment with its id is recorded already.</exception>
    Task AddAsync(Deployment deployment, CancellationToken cancellationToken);

    /// <summary>
    /// Records a new deployment unless one with its id is recorded already (then false, and nothing is written): how an
    /// idempotent intake records without looking first. True only once the record is durably stored.
    /// </summary>
    Task<bool> TryAddAsync(Deployment deployment, CancellationToken cancellationToken);

    /// <summary>Saves the deployment's changes since it was added, loaded or last saved (new timeline entries are appended).</summary>
    /// <exception cref="ConcurrencyConflictException">Another writer changed it since.</exception>
    Task SaveAsync(Deployment deployment, CancellationToken cancellationToken);

    /// <summary>The deployment with this id, or null.</summary>
    Task<Deployment?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The deployments whose id starts with <paramref name="prefix"/> (what users type: the first 8 characters), newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<Deployment>> FindByPrefixAsync(string prefix, int limit, CancellationToken cancellationToken);

    /// <summary>Deployments matching <paramref name="query"/>, newest first.</summary>
    Task<IReadOnlyList<Deployment>> ListAsync(DeploymentQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// What an overview of every app needs, however long the history (previews left out; rows only, no timelines): for each
    /// app and environment the newest succeeded deployment that put out a release, the newest succeeded removal, and every
    /// deployment not finished yet. <see cref="LiveDeployment.Of"/> picks the live one among them.
    /// </summary>
    Task<IReadOnlyList<Deployment>> ServingAsync(CancellationToken cancellationToken);

    /// <summary>Every app and environment on record (previews left out), with the repository it was last deployed from, if any.</summary>
    Task<IReadOnlyList<RecordedApp>> AppsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The releases an app's deployments in <paramref name="environment"/> put out and how each ended, newest first, at most
    /// <paramref name="limit"/>: the deployments' rows only (no timelines), for a rollback's choice of release.
    /// </summary>
    Task<IReadOnlyList<RecordedRelease>> ReleasesAsync(string app, string environment, int limit, CancellationToken cancellationToken);

    /// <summary>Appends lines to the deployment's log.</summary>
    Task AppendLogAsync(Guid deploymentId, IReadOnlyList<LogEntry> entries, CancellationToken cancellationToken);

    /// <summary>The deployment's log lines after <paramref name="afterSequence"/> (0: from the start), in order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<LogLine>> ReadLogAsync(Guid deploymentId, long afterSequence, int limit, CancellationToken cancellationToken);

    /// <summary>Records the deployment's security findings (replacing any recorded before for the same source).</summary>
    Task SaveFindingsAsync(Guid deploymentId, string source, IReadOnlyList<RecordedFinding> findings, CancellationToken cancellationToken);

    /// <summary>The deployment's recorded findings.</summary>
    Task<IReadOnlyList<RecordedFinding>> GetFindingsAsync(Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks whoever runs the deployment to cancel it. Kept apart from the aggregate (no version change), so it never
    /// conflicts with the run's own saves; the worker reads it with <see cref="IsCancelRequestedAsync"/>.
    /// </summary>
    /// <returns>False when no such deployment is recorded.</returns>
    Task<bool> RequestCancelAsync(Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Whether <see cref="RequestCancelAsync"/> was called for the deployment.</summary>
    Task<bool> IsCancelRequestedAsync(Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Creates the store (file, schema, migrations) if needed; cheap when it is up to date.</summary>
    Task EnsureReadyAsync(CancellationToken cancellationToken);

    /// <summary>What the store is, for messages: "SQLite /root/.deploymind/deploymind.db" or "PostgreSQL 127.0.0.1:5433/deploymind".</summary>
    string Description { get; }

    /// <summary>Records the stage agents' explanations of the deployment, in order (replacing any recorded before: a retried run explains again).</summary>
    Task SaveExplanationsAsync(Guid deploymentId, IReadOnlyList<RecordedExplanation> explanations, CancellationToken cancellationToken);

    /// <summary>The deployment's recorded explanations, in order.</summary>
    Task<IReadOnlyList<RecordedExplanation>> GetExplanationsAsync(Guid deploymentId, CancellationToken cancellationToken);

    /// <summary>Records the canary's judged steps, in order (replacing any recorded before: a retried run judges again).</summary>
    Task SaveCanaryStepsAsync(Guid deploymentId, IReadOnlyList<RecordedCanaryStep> steps, CancellationToken cancellationToken);

    /// <summary>The deployment's recorded canary steps, in order (none for other strategies).</summary>
    Task<IReadOnlyList<RecordedCanaryStep>> GetCanaryStepsAsync(Guid deploymentId, CancellationToken cancellationToken);
}

/// <summary>A stage agent's explanation as recorded with a deployment (redacted as the timeline is).</summary>
/// <param name="Stage">scan, build, deploy or verify.</param>
/// <param name="Agent">The agent ("security-agent").</param>
/// <param name="Text">The explanation.</param>
/// <param name="Recommendations">What to do next.</param>
/// <param name="Verdict">halt (the agent asked to stop) or none.</param>
/// <param name="Model">The model that wrote it, or "rules".</param>
public sealed record RecordedExplanation(string Stage, string Agent, string Text, IReadOnlyList<string> Recommendations, string Verdict, string Model);

/// <summary>Filters for <see cref="IDeploymentStore.ListAsync"/>.</summary>
public sealed record DeploymentQuery
{
    public string? App { get; init; }

    /// <summary>owner/repo (or the URL it was deployed from).</summary>
    public string? Repository { get; init; }

    public string? Environment { get; init; }

    public DeploymentState? State { get; init; }

    /// <summary>The branch deployed (exact).</summary>
    public string? Branch { get; init; }

    /// <summary>Who triggered it, as recorded ("api:ci", "dashboard:alice", "github:push", "cli:root"); a prefix matches ("api:").</summary>
    public string? TriggeredBy { get; init; }

    /// <summary>Only deployments created before this instant.</summary>
    public DateTimeOffset? Before { get; init; }

    public int Limit { get; init; } = 20;

    /// <summary>
    /// False: the deployments come without their timelines (rows only), for overviews of many; such a deployment is for
    /// reading and must not be saved.
    /// </summary>
    public bool WithTimeline { get; init; } = true;
}

/// <summary>An app and environment on record.</summary>
/// <param name="App">The app.</param>
/// <param name="Environment">The environment.</param>
/// <param name="Repository">The repository its newest deployment came from (null: from a folder).</param>
public sealed record RecordedApp(string App, string Environment, string? Repository);

/// <summary>A release a deployment put out, and how that deployment stands.</summary>
/// <param name="ReleaseId">The release.</param>
/// <param name="State">The deployment's state.</param>
/// <param name="UpdatedAt">When the deployment last changed.</param>
public sealed record RecordedRelease(string ReleaseId, DeploymentState State, DateTimeOffset UpdatedAt);

/// <summary>A log line to append.</summary>
/// <param name="At">When it was written.</param>
/// <param name="Stage">scan, build, deploy, verify or pipeline.</param>
/// <param name="Text">The line (secrets already redacted).</param>
public sealed record LogEntry(DateTimeOffset At, string Stage, string Text);

/// <summary>A recorded log line.</summary>
/// <param name="Sequence">Increases along the deployment's log; a reader continues after the last one it saw.</param>
/// <param name="At">When it was written.</param>
/// <param name="Stage">scan, build, deploy, verify or pipeline.</param>
/// <param name="Text">The line (secrets redacted).</param>
public sealed record LogLine(long Sequence, DateTimeOffset At, string Stage, string Text);

/// <summary>A security finding as recorded with a deployment (the excerpt is redacted; the secret is never stored).</summary>
public sealed record RecordedFinding(
    string Source,
    string RuleId,
    string Title,
    Domain.Findings.Severity Severity,
    Domain.Findings.SecurityFindingKind Kind,
    string File,
    int Line,
    int Column,
    string RedactedExcerpt,
    bool Blocking);

/// <summary>An add of a deployment whose id is recorded already.</summary>
public sealed class DeploymentExistsException : Domain.DeployMindException
{
    public DeploymentExistsException(Guid id)
        : base($"Deployment {id} is recorded already.")
    {
        Id = id;
    }

    public DeploymentExistsException()
        : base("The deployment is recorded already.")
    {
    }

    public DeploymentExistsException(string message)
        : base(message)
    {
    }

    public DeploymentExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Guid Id { get; }
}

/// <summary>A save that lost a race: another writer changed the deployment since it was read.</summary>
public sealed class ConcurrencyConflictException : Domain.DeployMindException
{
    public ConcurrencyConflictException(Guid id, int expectedVersion)
        : base($"Deployment {id} was changed by another process since it was read (expected version {expectedVersion}); reload it and try again.")
    {
        Id = id;
        ExpectedVersion = expectedVersion;
    }

    public ConcurrencyConflictException()
        : base("A deployment was changed by another process since it was read.")
    {
    }

    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }

    public ConcurrencyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public Guid Id { get; }

    public int ExpectedVersion { get; }
}
