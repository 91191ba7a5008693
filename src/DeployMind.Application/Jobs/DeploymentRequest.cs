using DeployMind.Application.Build;
using DeployMind.Application.Webhooks;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>
/// What to deploy, where, and who asked: the one request every front door (the CLI's <c>--queue</c>, a webhook, the
/// REST API, the preview sweep) builds from its own input and hands to <see cref="DeploymentIntake"/>. It becomes the
/// recorded <see cref="Deployment"/> and its <see cref="DeployJob"/> here, in one place.
/// </summary>
public sealed record DeploymentRequest
{
    /// <summary>The environment, and so the queue.</summary>
    public required string Environment { get; init; }

    /// <summary>Who or what asked, as recorded: "cli:alice", "api:ci", "webhook:push by octocat".</summary>
    public required string TriggeredBy { get; init; }

    /// <summary>The repository as recorded and reported (owner/name, a URL, a local repository); null for a folder.</summary>
    public string? Repository { get; init; }

    /// <summary>
    /// Where workers fetch the code, when the front door decides it (the CLI makes a local repository's path absolute).
    /// Default: <c>server.repositories</c>' source for <see cref="Repository"/>, else <see cref="CloneUrl"/>, else <see cref="Repository"/>.
    /// </summary>
    public string? Source { get; init; }

    /// <summary>The clone URL an event gave (a webhook's payload): where workers fetch when <c>server.repositories</c> does not say.</summary>
    public string? CloneUrl { get; init; }

    /// <summary>The branch, tag or commit to fetch when no <see cref="Commit"/> is pinned.</summary>
    public string? Ref { get; init; }

    /// <summary>The commit, when it is known (a push, a pull request's head, a ref the CLI fetched): recorded and deployed.</summary>
    public string? Commit { get; init; }

    /// <summary>The app's folder, inside the repository or on the worker's machine. Default: <c>server.repositories</c>' path, else ".".</summary>
    public string? Path { get; init; }

    /// <summary>
    /// The branch it deploys, recorded. A webhook's (<see cref="JobPriority.Webhook"/>) also travels with the job: the
    /// worker checks it against the environment's <c>branch</c>; a person's request deploys what was asked.
    /// </summary>
    public string? Branch { get; init; }

    /// <summary>The app's name, when the front door knows it; else <see cref="ProvisionalAppName"/> of the repository until a worker reads its deploymind.yml.</summary>
    public string? App { get; init; }

    /// <summary>The strategy asked for instead of the environment's (the job carries it); null: the environment's.</summary>
    public StrategyKind? Strategy { get; init; }

    /// <summary>
    /// The strategy the deployment records until a worker reads the app's configuration, when the front door knows it
    /// (the CLI read the environment's; a rollback is its deployment's). Default: <see cref="Strategy"/>, else rolling.
    /// </summary>
    public StrategyKind? RecordedStrategy { get; init; }

    /// <summary>local or ssh://user@host:port, instead of the environment's hosts.</summary>
    public string? Host { get; init; }

    /// <summary>The port nginx serves the app on, instead of the environment's.</summary>
    public int? Port { get; init; }

    /// <summary>The image tag to build.</summary>
    public string? Tag { get; init; }

    /// <summary>Build without the layer cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Deploy despite blocking security findings (recorded with the deployment).</summary>
    public bool AllowFindings { get; init; }

    /// <summary>Deploy although the app's configuration has keys no setting has (a typo is otherwise refused, naming the key).</summary>
    public bool AllowUnknownKeys { get; init; }

    /// <summary>
    /// A <see cref="Port"/> or <see cref="Host"/> other than the one the app and environment are served on is a move, made
    /// only when asked; otherwise it is refused naming the one in use.
    /// </summary>
    public bool Relocate { get; init; }

    /// <summary>The pull request it deploys as a preview (or removes, with <see cref="Teardown"/>).</summary>
    public int? PullRequest { get; init; }

    /// <summary>Remove the pull request's preview instead of deploying.</summary>
    public bool Teardown { get; init; }

    /// <summary>A rollback: the deployment whose previous release goes back (built by <see cref="DeploymentIntake.RollbackRequest"/>).</summary>
    public Guid? RollbackOf { get; init; }

    /// <summary>What it changes, when the front door read the app's configuration (the CLI); empty: the worker finds them.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Manual (CLI, API) jobs are taken before webhook jobs.</summary>
    public JobPriority Priority { get; init; } = JobPriority.Manual;

    /// <summary>
    /// The same key makes the same deployment, queued once (its id is <see cref="DeploymentIntake.IdFor"/> the key). Front
    /// doors name their keys apart: "api:…", "cli:…", "github:&lt;delivery&gt;", "sweep:…". Null: a new deployment every time.
    /// </summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The app's provisional name, until a worker reads deploymind.yml: the repository's last segment, without .git.</summary>
    public static string ProvisionalAppName(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var trimmed = repository.Trim().TrimEnd('/');
        var name = trimmed[(trimmed.LastIndexOfAny(['/', ':']) + 1)..];
        if (name.EndsWith(".git", StringComparison.OrdinalIgnoreCase))
        {
            name = name[..^4];
        }

        return ImageNames.Repository(name).Replace('.', '-');
    }

    /// <summary>Whether <paramref name="recorded"/> (found under this request's key) is what this request asks for.</summary>
    internal bool IsSameAs(Deployment recorded) =>
        string.Equals(recorded.Environment, Environment, StringComparison.Ordinal)
        && string.Equals(recorded.Repository, Repository, StringComparison.Ordinal)
        && recorded.RollbackOf == RollbackOf
        && recorded.PullRequest == PullRequest
        && recorded.IsTeardown == Teardown;

    /// <summary>The deployment to record (queued).</summary>
    internal Deployment ToDeployment(Guid id, DateTimeOffset now)
    {
        var app = App ?? ProvisionalAppName(Repository ?? throw new InvalidOperationException("A deployment request needs an app or a repository."));
        return new Deployment(id, app, Environment, RecordedStrategy ?? Strategy ?? StrategyKind.Rolling, TriggeredBy, now)
        {
            Repository = Repository,
            Branch = Branch,
            Commit = Commit,
            RollbackOf = RollbackOf,
            PullRequest = PullRequest,
            IsTeardown = Teardown,
        };
    }

    /// <summary>The job to queue, its source and folder defaulting to <paramref name="configured"/> (<c>server.repositories</c>).</summary>
    internal DeployJob ToJob(Guid id, RepositoryOptions? configured, DateTimeOffset now) => new()
    {
        Id = id,
        Environment = Environment,
        Targets = Targets,
        Priority = Priority,
        IdempotencyKey = IdempotencyKey,
        Repository = Source ?? configured?.Source ?? CloneUrl ?? Repository,
        Ref = Commit ?? Ref,
        Path = Path ?? configured?.Path ?? ".",
        Strategy = Strategy?.Name(),
        Host = Host,
        Port = Port,
        Tag = Tag,
        NoCache = NoCache,
        AllowFindings = AllowFindings,
        AllowUnknownKeys = AllowUnknownKeys,
        Relocate = Relocate,
        Branch = Priority == JobPriority.Webhook ? Branch : null,
        RollbackOf = RollbackOf,
        PullRequest = PullRequest,
        Teardown = Teardown,
        TriggeredBy = TriggeredBy,
        EnqueuedAt = now,
    };
}
