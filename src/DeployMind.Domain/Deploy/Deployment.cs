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
    private string? _commit;

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

    public string App { get; private set; }

    public string Environment { get; }

    public StrategyKind Strategy { get; private set; }

    /// <summary>Who or what asked: "cli:alice", "webhook:push", "api:token-name".</summary>
    public string TriggeredBy { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DeploymentState State { get; private set; } = DeploymentState.Queued;

    /// <summary>Increases with every change; stores use it for optimistic concurrency.</summary>
    public int Version { get; private set; }

    public string? Repository { get; init; }

    public string? Branch { get; init; }

    public string? Commit { get => _commit; init => _commit = value; }

    /// <summary>For a rollback: the deployment it rolled back from.</summary>
    public Guid? RollbackOf { get; init; }

    /// <summary>The pull request it deploys (a preview environment), when it came from one.</summary>
    public int? PullRequest { get; init; }

    /// <summary>True when it removes the app's instance (a closed pull request's preview) instead of deploying a release.</summary>
    public bool IsTeardown { get; init; }

    /// <summary>Where it deploys, e.g. "local" or "web-1, web-2" (set by the deploy stage).</summary>
    public string? Target { get; private set; }

    /// <summary>The release id on the hosts (set by the deploy stage).</summary>
    public string? ReleaseId { get; private set; }

    /// <summary>Where the app answers once deployed (set by the deploy stage).</summary>
    /// <summary>The port nginx serves the release on, on every host (Docker hosts; null in a cluster or before the deploy stage).</summary>
    public int? ListenPort { get; private set; }

    public string? Url { get; private set; }

    /// <summary>For failed deployments: the stage that failed.</summary>
    public PipelineStage? FailedStage { get; private set; }

    /// <summary>For failed, rolled back, cancelled or superseded deployments: why, in one line.</summary>
    public string? Reason { get; private set; }

    public string? ImageTag { get; private set; }

    public double? ImageSizeMb { get; private set; }

    /// <summary>The builder that built the image ("BuildKit (...)", "classic builder"); null when not built here (or before it was recorded).</summary>
    public string? ImageBuilder { get; private set; }

    public int? HealthChecksPassed { get; private set; }

    public int? HealthChecksRequired { get; private set; }

    public int? CanaryPercentReached { get; private set; }

    /// <summary>A canary's last judged step: what its promotion or rollback rested on.</summary>
    public CanaryFigures? CanaryFigures { get; private set; }

    public IReadOnlyList<DeploymentEvent> Events => _events;

    public bool IsFinished => State.IsTerminal();

    /// <summary>The deployment as a store saves it: the inverse of <see cref="Restore"/>.</summary>
    public DeploymentSnapshot Snapshot() => new(Id, App, Environment, Strategy, TriggeredBy, CreatedAt)
    {
        UpdatedAt = UpdatedAt,
        State = State,
        Version = Version,
        Repository = Repository,
        Branch = Branch,
        Commit = Commit,
        RollbackOf = RollbackOf,
        PullRequest = PullRequest,
        IsTeardown = IsTeardown,
        FailedStage = FailedStage,
        Reason = Reason,
        Target = Target,
        ReleaseId = ReleaseId,
        Url = Url,
        ListenPort = ListenPort,
        ImageTag = ImageTag,
        ImageSizeMb = ImageSizeMb,
        ImageBuilder = ImageBuilder,
        HealthChecksPassed = HealthChecksPassed,
        HealthChecksRequired = HealthChecksRequired,
        CanaryPercentReached = CanaryPercentReached,
        CanaryFigures = CanaryFigures,
        Events = [.. Events],
    };

    /// <summary>Rebuilds a deployment exactly as a store saved it (no transition is replayed or checked).</summary>
    public static Deployment Restore(DeploymentSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var deployment = new Deployment(snapshot.Id, snapshot.App, snapshot.Environment, snapshot.Strategy, snapshot.TriggeredBy, snapshot.CreatedAt)
        {
            Repository = snapshot.Repository,
            Branch = snapshot.Branch,
            Commit = snapshot.Commit,
            RollbackOf = snapshot.RollbackOf,
            PullRequest = snapshot.PullRequest,
            IsTeardown = snapshot.IsTeardown,
            State = snapshot.State,
            UpdatedAt = snapshot.UpdatedAt,
            Version = snapshot.Version,
            FailedStage = snapshot.FailedStage,
            Reason = snapshot.Reason,
            Target = snapshot.Target,
            ReleaseId = snapshot.ReleaseId,
            Url = snapshot.Url,
            ListenPort = snapshot.ListenPort,
            ImageTag = snapshot.ImageTag,
            ImageSizeMb = snapshot.ImageSizeMb,
            ImageBuilder = snapshot.ImageBuilder,
            HealthChecksPassed = snapshot.HealthChecksPassed,
            HealthChecksRequired = snapshot.HealthChecksRequired,
            CanaryPercentReached = snapshot.CanaryPercentReached,
            CanaryFigures = snapshot.CanaryFigures,
        };
        deployment._events.AddRange(snapshot.Events);
        return deployment;
    }

    /// <summary>How long each state lasted: from entering it to the next transition (the current state up to <paramref name="now"/>).</summary>
    public IReadOnlyList<(DeploymentState State, TimeSpan Duration)> StateDurations(DateTimeOffset now)
    {
        var transitions = _events.Where(e => e.IsTransition).ToList();
        var result = new List<(DeploymentState, TimeSpan)>();
        var (state, since) = (DeploymentState.Queued, CreatedAt);
        foreach (var transition in transitions)
        {
            result.Add((state, transition.At - since));
            (state, since) = (transition.To, transition.At);
        }

        if (!state.IsTerminal())
        {
            result.Add((state, now - since));
        }

        return result;
    }

    /// <summary>Records a note in the current state (a stage's report, an allowed finding) without changing it.</summary>
    public void Note(string detail, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        _events.Add(new DeploymentEvent(at, State, State, detail));
        UpdatedAt = at;
        Version++;
    }

    /// <summary>Records the commit a queued deployment's source resolved to once it was fetched.</summary>
    public void RecordCommit(string commit)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commit);
        _commit = commit;
        Version++;
    }

    /// <summary>
    /// Sets the app's name and strategy once its configuration is read: a job queued by a webhook or the API knows only the
    /// repository until the worker has fetched the commit and read its deploymind.yml. Only while still queued.
    /// </summary>
    /// <exception cref="InvalidOperationException">The deployment has started.</exception>
    public void Configure(string app, StrategyKind strategy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(app);
        if (State != DeploymentState.Queued)
        {
            throw new InvalidOperationException($"Deployment {Id} is {State}: its app and strategy are fixed once it has started.");
        }

        if (app == App && strategy == Strategy)
        {
            return;
        }

        (App, Strategy) = (app, strategy);
        Version++;
    }

    /// <summary>Records where the release runs: its hosts (or cluster), its URL, and the port nginx serves it on (Docker hosts).</summary>
    public void RecordRelease(string releaseId, string target, string? url, int? listenPort = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(releaseId);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        (ReleaseId, Target, Url, ListenPort) = (releaseId, target, url, listenPort ?? ListenPort);
        Version++;
    }

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

    /// <summary>Records the image the build produced (or, for a rollback, the image it goes back to) and the builder that built it.</summary>
    public void RecordImage(string tag, double sizeMb, string? builder = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tag);
        (ImageTag, ImageSizeMb, ImageBuilder) = (tag, sizeMb, builder);
        Version++;
    }

    /// <summary>Records the deploy's figures.</summary>
    public void RecordDeploy(int? healthPassed, int? healthRequired, int? canaryPercent, CanaryFigures? canaryFigures = null)
    {
        (HealthChecksPassed, HealthChecksRequired, CanaryPercentReached, CanaryFigures) = (healthPassed, healthRequired, canaryPercent, canaryFigures);
        Version++;
    }

    private void Record(DeploymentState to, string detail, DateTimeOffset at)
    {
        _events.Add(new DeploymentEvent(at, State, to, detail));
        if (to is DeploymentState.RolledBack or DeploymentState.Cancelled or DeploymentState.Superseded)
        {
            Reason = detail;
        }

        State = to;
        UpdatedAt = at;
        Version++;
    }
}
