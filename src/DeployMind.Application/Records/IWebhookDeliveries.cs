namespace DeployMind.Application.Records;

/// <summary>The webhook deliveries the server received and what it did with each: "why did my push not deploy?"</summary>
public interface IWebhookDeliveries
{
    Task RecordAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>Deletes the deliveries received before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>The latest deliveries, newest first.</summary>
    Task<IReadOnlyList<WebhookDelivery>> ListAsync(int limit, CancellationToken cancellationToken);
}

/// <summary>One delivery.</summary>
/// <param name="DeliveryId">X-GitHub-Delivery.</param>
/// <param name="Event">X-GitHub-Event (push, pull_request, ...).</param>
/// <param name="Action">The payload's action (opened, closed, ...), when it has one.</param>
/// <param name="Repository">owner/name.</param>
/// <param name="ReceivedAt">When it arrived.</param>
/// <param name="Result">queued, duplicate, ignored.</param>
/// <param name="Detail">Why, in one line.</param>
/// <param name="DeploymentId">The deployment it queued (or had queued, for a duplicate).</param>
public sealed record WebhookDelivery(
    string DeliveryId, string Event, string? Action, string? Repository, DateTimeOffset ReceivedAt, string Result, string Detail, Guid? DeploymentId);
