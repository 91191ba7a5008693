using DeployMind.Application.Jobs;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Webhooks;

/// <summary>A pull request's preview deployment (or teardown) and its job, as the webhook intake and the sweeper queue them.</summary>
/// <param name="Key">The idempotency key: the same key, the same deployment, one job.</param>
/// <param name="Repository">owner/name.</param>
/// <param name="Number">The pull request.</param>
/// <param name="Branch">The head branch.</param>
/// <param name="Commit">The head commit.</param>
/// <param name="App">The deployment's name until the worker reads the app's configuration.</param>
/// <param name="Teardown">Remove the preview instead of deploying it.</param>
/// <param name="TriggeredBy">Who or what asked.</param>
public sealed record PreviewJob(string Key, string Repository, int Number, string? Branch, string? Commit, string App, bool Teardown, string TriggeredBy)
{
    /// <summary>Where workers fetch the code when <c>server.repositories</c> does not say (a clone URL); default: the repository's name.</summary>
    public string? Source { get; init; }

    /// <summary>The queued deployment and its job, under <paramref name="options"/> (the previews' environment, the repository's source and folder).</summary>
    public (Deployment Deployment, DeployJob Job) Create(ServerOptions options, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = JobIntake.IdFor(Key);
        var environment = options.Previews.Environment;
        var settings = options.Repository(Repository);
        var deployment = new Deployment(id, App, environment, StrategyKind.Rolling, TriggeredBy, now)
        {
            Repository = Repository,
            Branch = Branch,
            Commit = Commit,
            PullRequest = Number,
            IsTeardown = Teardown,
        };
        var job = new DeployJob
        {
            Id = id,
            Environment = environment,
            Targets = [],
            Priority = JobPriority.Webhook,
            IdempotencyKey = Key,
            Repository = settings?.Source ?? Source ?? Repository,
            Ref = Commit,
            Path = settings?.Path ?? ".",
            Branch = Branch,
            PullRequest = Number,
            Teardown = Teardown,
            TriggeredBy = TriggeredBy,
            EnqueuedAt = now,
        };
        return (deployment, job);
    }
}
