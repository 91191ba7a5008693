namespace DeployMind.Domain.Deploy;

/// <summary>The pipeline stage a deployment failed in.</summary>
public enum PipelineStage
{
    Scan,
    Build,
    Deploy,
    Verify,
}

/// <summary>
/// A deployment: what is deployed where, its state (only legal transitions, each recorded as an event with time and
/// detail), and the figures reports show. It guards its own invariants; nothing else sets its state.
/// </summary>
public sealed class Deployment
{
    private readonly List<DeploymentEvent> _events = [];

    public Deployment(Guid id, string app, string environment, StrategyKind strategy, string triggeredBy, DateTimeOffset createdAt)
    {
        if (id == Guid.Empty)
        {
            throw new ArgumentException("A deployment needs an id.", nameof(id));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(app);
        ArgumentException.ThrowIfNullOrWhiteSpace(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(triggeredBy);
        (Id, App, Environment, Strategy, TriggeredBy, CreatedAt, UpdatedAt) = (id, app, environment, strategy, triggeredBy, createdAt, createdAt);
    }

    public Guid Id { get; }

    public string App { get; }

    public string Environment { get; }

    public StrategyKind Strategy { get; }

    /// <summary>Who or what asked: "cli:alice", "webhook:push", "api:token-name".</summary>
    public string TriggeredBy { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DeploymentState State { get; private set; } = DeploymentState.Queued;

    /// <summary>Increases with every change; stores use it for optimistic concurrency.</summary>
    public int Version { get; private set; }

    public string? Repository { get; init; }

    public string? Branch { get; init; }

    public string? Commit { get; init; }

    /// <summary>For failed deployments: the stage that failed.</summary>
    public PipelineStage? FailedStage { get; private set; }

    /// <summary>For failed, rolled back or cancelled deployments: why, in one line.</summary>
    public string? Reason { get; private set; }

    public string? ImageTag { get; private set; }

    public double? ImageSizeMb { get; private set; }

    public int? HealthChecksPassed { get; private set; }

    public int? HealthChecksRequired { get; private set; }

    public int? CanaryPercentReached { get; private set; }

    public IReadOnlyList<DeploymentEvent> Events => _events;

    public bool IsFinished => State.IsTerminal();

    /// <summary>Moves to <paramref name="to"/> if the state machine allows it, recording the event.</summary>
    /// <exception cref="IllegalTransitionException">Not a legal transition.</exception>
    public void MoveTo(DeploymentState to, string detail, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        if (!DeploymentStates.CanMove(State, to))
        {
            throw new IllegalTransitionException(Id, State, to);
        }

        if (to is DeploymentState.Failed)
        {
            throw new InvalidOperationException($"Use {nameof(Fail)} to fail a deployment: it records the stage.");
        }

        Record(to, detail, at);
    }

    /// <summary>Fails the deployment in <paramref name="stage"/> with <paramref name="reason"/>.</summary>
    public void Fail(PipelineStage stage, string reason, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (!DeploymentStates.CanMove(State, DeploymentState.Failed))
        {
            throw new IllegalTransitionException(Id, State, DeploymentState.Failed);
        }

        FailedStage = stage;
        Reason = reason;
        Record(DeploymentState.Failed, $"{stage} failed: {reason}", at);
    }

    /// <summary>Records the image the build produced.</summary>
    public void RecordImage(string tag, double sizeMb)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        (ImageTag, ImageSizeMb) = (tag, sizeMb);
        Version++;
    }

    /// <summary>Records the deploy's figures.</summary>
    public void RecordDeploy(int? healthPassed, int? healthRequired, int? canaryPercent)
    {
        (HealthChecksPassed, HealthChecksRequired, CanaryPercentReached) = (healthPassed, healthRequired, canaryPercent);
        Version++;
    }

    private void Record(DeploymentState to, string detail, DateTimeOffset at)
    {
        _events.Add(new DeploymentEvent(at, State, to, detail));
        if (to is DeploymentState.RolledBack or DeploymentState.Cancelled)
        {
            Reason = detail;
        }

        State = to;
        UpdatedAt = at;
        Version++;
    }
}
