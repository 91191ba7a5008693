namespace DeployMind.Application.Jobs;

/// <summary>Who asked: manual jobs (CLI, API) are taken before webhook jobs of the same environment.</summary>
public enum JobPriority
{
    /// <summary>A person asked (CLI, API): first.</summary>
    Manual = 0,

    /// <summary>A webhook (push, pull request): after manual jobs.</summary>
    Webhook = 1,
}

/// <summary>
/// A deployment job: what to deploy, where, and who asked. Its <see cref="Id"/> is the deployment's id (the record
/// exists, <c>queued</c>, from the moment it is enqueued).
/// </summary>
public sealed record DeployJob
{
    public required Guid Id { get; init; }

    /// <summary>The queue it is in.</summary>
    public required string Environment { get; init; }

    /// <summary>
    /// What it changes, each locked for the deploy: "docker:web-1", "k8s:staging/shop/api". Taken in this order (sorted).
    /// Empty when whoever queued it could not read the app's configuration (a webhook, the API): the worker finds them
    /// (<see cref="IJobRunner.PrepareAsync"/>) before it locks anything.
    /// </summary>
    public required IReadOnlyList<string> Targets { get; init; }

    public JobPriority Priority { get; init; } = JobPriority.Manual;

    /// <summary>A webhook delivery id or a client request id: the same key enqueues at most one job.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>Where the source comes from: a repository (owner/repo, URL, local bare repository) or a folder on the worker's machine.</summary>
    public string? Repository { get; init; }

    /// <summary>With <see cref="Repository"/>: the commit (pinned when the job was queued), or a branch or tag.</summary>
    public string? Ref { get; init; }

    /// <summary>The app's folder (inside the repository, or on the worker's machine).</summary>
    public string Path { get; init; } = ".";

    public string? Strategy { get; init; }

    public string? Host { get; init; }

    public int? Port { get; init; }

    /// <summary>The image tag to build (default: the app and the commit, or the content hash).</summary>
    public string? Tag { get; init; }

    /// <summary>Build without the layer cache.</summary>
    public bool NoCache { get; init; }

    public bool AllowFindings { get; init; }

    /// <summary>Deploy although the app's configuration has keys no setting has (each a warning, recorded); else the job fails naming them.</summary>
    public bool AllowUnknownKeys { get; init; }

    /// <summary>Move the app to the port or host asked for although another one serves it (see <see cref="DeploymentRequest.Relocate"/>).</summary>
    public bool Relocate { get; init; }

    /// <summary>The branch pushed (a webhook's job): checked against the environment's <c>branch</c> in the app's deploymind.yml.</summary>
    public string? Branch { get; init; }

    /// <summary>A rollback job: the deployment whose previous release goes back (the job's own deployment records the rollback).</summary>
    public Guid? RollbackOf { get; init; }

    /// <summary>The pull request this job deploys as a preview (or tears down, with <see cref="Teardown"/>).</summary>
    public int? PullRequest { get; init; }

    /// <summary>Remove the pull request's preview instead of deploying.</summary>
    public bool Teardown { get; init; }

    public required string TriggeredBy { get; init; }

    public required DateTimeOffset EnqueuedAt { get; init; }
}
