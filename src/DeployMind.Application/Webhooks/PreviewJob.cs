using DeployMind.Application.Jobs;

namespace DeployMind.Application.Webhooks;

/// <summary>A pull request's preview deployment (or teardown), as the webhook intake and the sweeper ask for it.</summary>
/// <param name="Key">The idempotency key: the same key, the same deployment, one job.</param>
/// <param name="Repository">owner/name.</param>
/// <param name="Number">The pull request.</param>
/// <param name="Branch">The head branch.</param>
/// <param name="Commit">The head commit.</param>
/// <param name="App">The deployment's name until the worker reads the app's configuration.</param>
/// <param name="Teardown">Remove the preview instead of deploying it.</param>
/// <param name="TriggeredBy">Who or what asked.</param>
internal sealed record PreviewJob(string Key, string Repository, int Number, string? Branch, string? Commit, string App, bool Teardown, string TriggeredBy)
{
    /// <summary>Where workers fetch the code when <c>server.repositories</c> does not say (a clone URL); default: the repository's name.</summary>
    public string? CloneUrl { get; init; }

    /// <summary>The request for <see cref="DeploymentIntake"/>, in the previews' <paramref name="environment"/> (<c>server.previews.environment</c>).</summary>
    public DeploymentRequest Request(string environment) => new()
    {
        Environment = environment,
        TriggeredBy = TriggeredBy,
        Repository = Repository,
        CloneUrl = CloneUrl,
        Commit = Commit,
        Branch = Branch,
        App = App,
        PullRequest = Number,
        Teardown = Teardown,
        Priority = JobPriority.Webhook,
        IdempotencyKey = Key,
    };
}
