using DeployMind.Application.Configuration;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Webhooks;

/// <summary>What was done with a delivery.</summary>
public enum WebhookResult
{
    /// <summary>A ping, answered.</summary>
    Pong,

    /// <summary>A job was queued.</summary>
    Queued,

    /// <summary>The same delivery came before: its job was queued then.</summary>
    Duplicate,

    /// <summary>Nothing to deploy; the detail says why.</summary>
    Ignored,
}

/// <summary>The answer to a delivery: what was done, why in one line (shown in GitHub's delivery log), and the deployment queued.</summary>
public sealed record WebhookOutcome(WebhookResult Result, string Detail, Guid? DeploymentId = null, string? Environment = null);

/// <summary>
/// Decides what a verified GitHub delivery deploys and queues it (never deploys in the request): a push to a branch
/// that deploys an environment queues a deployment of that commit; a pull request opened, synchronized or reopened
/// queues its preview, closed queues the preview's removal. Tag pushes, deletions, other branches and events are
/// acknowledged and ignored, with the reason. Every delivery is recorded.
/// </summary>
public sealed partial class WebhookIntake
{
    private readonly DeploymentIntake _intake;
    private readonly IWebhookDeliveries _deliveries;
    private readonly ServerOptions _options;
    private readonly ProcessAppOptions _app;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookIntake> _logger;

    public WebhookIntake(DeploymentIntake intake, IWebhookDeliveries deliveries, IOptions<ServerOptions> options, ProcessAppOptions app, TimeProvider time, ILogger<WebhookIntake> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(app);
        _intake = intake;
        _deliveries = deliveries;
        _options = options.Value;
        _app = app;
        _time = time;
        _logger = logger;
    }

    /// <summary>Handles one delivery whose signature was verified.</summary>
    /// <exception cref="WebhookPayloadException">The body is not what the event should be (answer 400).</exception>
    /// <exception cref="QueueUnavailableException">The job could not be stored (answer 503: GitHub may redeliver).</exception>
    public async Task<WebhookOutcome> HandleAsync(string deliveryId, string eventName, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(deliveryId);
        ArgumentException.ThrowIfNullOrEmpty(eventName);
        var received = _time.GetUtcNow();
        var evt = GitHubEvents.Parse(eventName, body);
        var outcome = evt switch
        {
            PingEvent ping => new WebhookOutcome(WebhookResult.Pong, $"pong{(ping.Zen is { } zen ? $": {zen}" : string.Empty)}"),
            PushEvent push => await PushAsync(deliveryId, push, cancellationToken),
            PullRequestEvent pr => await PullRequestAsync(deliveryId, pr, cancellationToken),
            _ => new WebhookOutcome(WebhookResult.Ignored, $"'{eventName}' events deploy nothing (push and pull_request do)"),
        };
        // Recorded in the background (batched); the answer does not wait for it.
        _ = RecordAsync(new WebhookDelivery(
            deliveryId, eventName, (evt as PullRequestEvent)?.Action, evt.Repository.Length > 0 ? evt.Repository : null, received,
            outcome.Result.ToString().ToLowerInvariant(), outcome.Detail, outcome.DeploymentId));
        return outcome;
    }

    private async Task<WebhookOutcome> PushAsync(string deliveryId, PushEvent push, CancellationToken cancellationToken)
    {
        var repository = _options.Repository(push.Repository);
        if (repository is null && _options.OnlyConfiguredRepositories)
        {
            return Ignored($"{push.Repository} is not one of server.repositories (server.onlyConfiguredRepositories is true)");
        }

        var kind = push.Ref.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag" : "branch";
        if (push.Deleted || GitHubEvents.IsNullCommit(push.After))
        {
            return Ignored($"{kind} {ShortRef(push.Ref)} was deleted: nothing to deploy");
        }

        if (kind == "tag")
        {
            return Ignored($"tag push ({ShortRef(push.Ref)}): tags deploy nothing, pushes to an environment's branch do");
        }

        if (!push.Ref.StartsWith("refs/heads/", StringComparison.Ordinal))
        {
            return Ignored($"{push.Ref} is not a branch");
        }

        if (!GitHubEvents.IsCommit(push.After))
        {
            throw new WebhookPayloadException($"after: '{push.After}' is not a commit id.");
        }

        var branch = push.Ref["refs/heads/".Length..];
        var environment = EnvironmentOf(repository, branch, push.DefaultBranch);
        if (environment is null)
        {
            var mapped = repository?.Branches is { Count: > 0 } branches ? string.Join(", ", branches.Select(b => $"{b.Key} → {b.Value}"))
                : ConfiguredBranches() is { Count: > 0 } configured ? string.Join(", ", configured.Select(b => $"{b.Branch} → {b.Environment}"))
                : push.DefaultBranch is { } main ? $"{main} → production (the default branch)" : "none";
            return Ignored($"branch {branch} deploys no environment (branches that do: {mapped}; set server.repositories.\"{push.Repository}\".branches for others)");
        }

        var request = new DeploymentRequest
        {
            Environment = environment,
            TriggeredBy = $"webhook:push by {push.Sender}",
            Repository = push.Repository,
            CloneUrl = push.CloneUrl,
            Commit = push.After,
            Branch = branch,
            Priority = JobPriority.Webhook,
            IdempotencyKey = "github:" + deliveryId,
        };
        return await SubmitAsync(request, $"deploys {push.After[..7]} of {branch} to {environment}", cancellationToken);
    }

    private async Task<WebhookOutcome> PullRequestAsync(string deliveryId, PullRequestEvent pr, CancellationToken cancellationToken)
    {
        var previews = _options.Previews;
        var repository = _options.Repository(pr.Repository);
        if (repository is null && _options.OnlyConfiguredRepositories)
        {
            return Ignored($"{pr.Repository} is not one of server.repositories (server.onlyConfiguredRepositories is true)");
        }

        if (!previews.Enabled)
        {
            return Ignored("previews are off (server.previews.enabled is false)");
        }

        var teardown = pr.Action == "closed";
        if (!teardown && pr.Action is not ("opened" or "synchronize" or "reopened"))
        {
            return Ignored($"pull request #{pr.Number} {pr.Action}: changes no preview (opened, synchronize, reopened and closed do)");
        }

        if (pr.FromFork && !previews.Forks && !teardown)
        {
            return Ignored($"pull request #{pr.Number} comes from the fork {pr.HeadRepository}: its code does not run here (server.previews.forks is false)");
        }

        if (!GitHubEvents.IsCommit(pr.HeadSha))
        {
            throw new WebhookPayloadException($"pull_request.head.sha: '{pr.HeadSha}' is not a commit id.");
        }

        var request = new PreviewJob(
            "github:" + deliveryId, pr.Repository, pr.Number, pr.HeadRef, pr.HeadSha, PreviewOptions.AppName(DeploymentRequest.ProvisionalAppName(pr.Repository), pr.Number), teardown,
            $"webhook:pull_request {pr.Action} by {pr.Sender}")
        {
            CloneUrl = pr.FromFork ? pr.HeadCloneUrl : pr.CloneUrl,
        }.Request(previews.Environment);
        var what = teardown ? $"removes the preview of pull request #{pr.Number}" : $"deploys {pr.HeadSha[..7]} as the preview of pull request #{pr.Number}";
        return await SubmitAsync(request, what, cancellationToken);
    }

    private async Task<WebhookOutcome> SubmitAsync(DeploymentRequest request, string what, CancellationToken cancellationToken)
    {
        IntakeResult result;
        try
        {
            result = await _intake.SubmitAsync(request, cancellationToken);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            // The delivery came before and was mapped otherwise (the server's settings changed since): its job stands.
            return Duplicate(ex.Existing);
        }

        return result.Added
            ? new WebhookOutcome(WebhookResult.Queued, $"queued: {what}", result.Deployment.Id, result.Deployment.Environment)
            : Duplicate(result.Deployment);
    }

    private static WebhookOutcome Duplicate(Deployment first) =>
        new(WebhookResult.Duplicate, "this delivery was received before; its job is queued already", first.Id, first.Environment);

    /// <summary>
    /// The environment a push to <paramref name="branch"/> deploys: the repository's map (<c>server.repositories</c>), else
    /// the environments' <c>branch</c> in the server's own configuration (a deploymind.yml given to <c>serve --config</c>),
    /// else the default branch → production.
    /// </summary>
    private string? EnvironmentOf(RepositoryOptions? repository, string branch, string? defaultBranch)
    {
        if (repository?.Branches is { Count: > 0 } branches)
        {
            return branches.TryGetValue(branch, out var environment) && !string.IsNullOrWhiteSpace(environment) ? environment.Trim() : null;
        }

        if (ConfiguredBranches() is { Count: > 0 } configured)
        {
            return configured.FirstOrDefault(c => string.Equals(c.Branch, branch, StringComparison.Ordinal)).Environment;
        }

        return string.Equals(branch, defaultBranch, StringComparison.Ordinal) ? "production" : null;
    }

    /// <summary>The environments of the server's configuration that name their branch (a branch named twice: the first by name).</summary>
    private List<(string Branch, string Environment)> ConfiguredBranches() =>
        [.. _app.Value.Environments.Where(e => !string.IsNullOrWhiteSpace(e.Value.Branch)).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Value.Branch!.Trim(), e.Key))];

    private static string ShortRef(string reference) =>
        reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..]
        : reference.StartsWith("refs/tags/", StringComparison.Ordinal) ? reference["refs/tags/".Length..]
        : reference;

    private static WebhookOutcome Ignored(string why) => new(WebhookResult.Ignored, why);

    private async Task RecordAsync(WebhookDelivery delivery)
    {
        try
        {
            await _deliveries.RecordAsync(delivery, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDeliveryNotRecorded(delivery.DeliveryId, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} could not be recorded: {Reason}")]
    private partial void LogDeliveryNotRecorded(string deliveryId, string reason);
}
