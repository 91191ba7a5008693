using System.Globalization;
using DeployMind.Application.Reporting;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Notifications;

/// <summary>
/// One message to send: the event, the deployment as it was, and the link to its page. The text every channel shows is
/// made here (<see cref="Title"/>, <see cref="Facts"/>), so Slack, Discord, Teams, email and the webhook say the same.
/// </summary>
/// <param name="Event">What happened.</param>
/// <param name="Deployment">The deployment at that moment.</param>
/// <param name="Link">The deployment's page (<c>{publicUrl}/deployments/{id}</c>).</param>
/// <param name="Detail">More about the event (what a lock wait waits for).</param>
public sealed record DeploymentNotice(NotificationEvent Event, DeploymentReport Deployment, Uri Link, string? Detail = null)
{
    /// <summary>A unique id of this message (the webhook's <c>X-DeployMind-Delivery</c>).</summary>
    public Guid DeliveryId { get; init; } = Guid.NewGuid();

    /// <summary>The deployment's id as <c>deploymind list</c> shows it (8 characters).</summary>
    public string ShortId => Deployment.Id.ToString("N", CultureInfo.InvariantCulture)[..8];

    /// <summary>The commit's first 7 characters, or null.</summary>
    public string? ShortCommit => Deployment.Commit is { Length: > 7 } commit ? commit[..7] : Deployment.Commit;

    /// <summary>One line: "shop-api: failed to deploy to production (build)".</summary>
    public string Title
    {
        get
        {
            var d = Deployment;
            var what = ShortCommit is { } commit ? $" {commit}" : string.Empty;
            return Event switch
            {
                NotificationEvent.Started => $"{d.App}: deploying{what} to {d.Environment}",
                NotificationEvent.Succeeded => $"{d.App}: deployed{what} to {d.Environment}",
                NotificationEvent.Failed => $"{d.App}: deployment{what} to {d.Environment} failed" + (d.FailedStage is { } stage ? $" at {stage.ToString().ToLowerInvariant()}" : string.Empty),
                NotificationEvent.RolledBack => d.State == DeploymentState.RolledBack
                    ? $"{d.App}: deployment{what} to {d.Environment} rolled back"
                    : $"{d.App}: {d.Environment} rolled back" + (d.RollbackOf is { } of ? $" (deployment {of.ToString("N", CultureInfo.InvariantCulture)[..8]} undone)" : string.Empty),
                NotificationEvent.Superseded => $"{d.App}: deployment{what} to {d.Environment} superseded",
                NotificationEvent.Cancelled => $"{d.App}: deployment{what} to {d.Environment} cancelled",
                NotificationEvent.LockWait => $"{d.App}: deployment{what} to {d.Environment} is waiting for a lock",
                _ => $"{d.App}: {Event.Name()}",
            };
        }
    }

    /// <summary>Whether the event is bad news (failed, rolled back, waiting): channels colour it.</summary>
    public bool IsBad => Event is NotificationEvent.Failed or NotificationEvent.RolledBack or NotificationEvent.LockWait;

    /// <summary>The facts every message lists, in order (label, value); empty values are left out.</summary>
    public IReadOnlyList<(string Label, string Value)> Facts
    {
        get
        {
            var d = Deployment;
            var facts = new List<(string, string)>
            {
                ("Event", Event.Name()),
                ("App", d.App),
                ("Environment", d.Environment),
                ("Deployment", ShortId),
                ("State", d.State.Name()),
                ("Strategy", d.Strategy.Name()),
            };
            Add(facts, "Repository", d.Repository);
            Add(facts, "Commit", ShortCommit is null ? null : d.Branch is { } branch ? $"{ShortCommit} ({branch})" : ShortCommit);
            Add(facts, "Pull request", d.PullRequest is { } pr ? "#" + pr.ToString(CultureInfo.InvariantCulture) : null);
            Add(facts, "Image", d.ImageTag);
            Add(facts, "Reason", d.Reason);
            Add(facts, "Detail", Detail);
            Add(facts, "Triggered by", d.TriggeredBy);
            Add(facts, "Duration", d.Duration > TimeSpan.Zero ? Duration.Format(d.Duration) : null);
            Add(facts, "Serves", d.Url);
            return facts;
        }
    }

    /// <summary>The message as plain text: the title, the facts, the link (email, and Slack/Discord/Teams fall-backs).</summary>
    public string PlainText() =>
        Title + "\n\n" + string.Join("\n", Facts.Select(f => $"{f.Label}: {f.Value}")) + $"\n\nDeployment: {Link}\n";

    private static void Add(List<(string, string)> facts, string label, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            facts.Add((label, value.Length > 500 ? value[..500] + "…" : value));
        }
    }
}
