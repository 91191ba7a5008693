using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Application.Notifications;
using DeployMind.Domain.Deploy;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>
/// A generic webhook: the event as JSON, signed so the receiver can tell it came from DeployMind and is fresh.
/// Headers: <c>X-DeployMind-Event</c>, <c>X-DeployMind-Delivery</c> (unique per message),
/// <c>X-DeployMind-Timestamp</c> (Unix seconds) and <c>X-DeployMind-Signature: sha256=&lt;hex&gt;</c>, the HMAC-SHA256
/// with the channel's secret of <c>"{timestamp}.{body}"</c> (docs/notifications.md shows how to check it).
/// </summary>
internal sealed class SignedWebhookSender(NotificationHttp http, TimeProvider time) : INotificationSender
{
    public const string EventHeader = "X-DeployMind-Event";
    public const string DeliveryHeader = "X-DeployMind-Delivery";
    public const string TimestampHeader = "X-DeployMind-Timestamp";
    public const string SignatureHeader = "X-DeployMind-Signature";

    public string Type => "webhook";

    public Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(target);
        var url = target.Url ?? throw new ArgumentException("A webhook channel needs its URL.", nameof(target));
        var secret = target.Secret ?? throw new ArgumentException("A webhook channel needs its signing secret.", nameof(target));
        var body = Payload(notice).ToJsonString();
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return http.PostJsonAsync(
            url,
            body,
            [
                new(EventHeader, notice.Event.Name()),
                new(DeliveryHeader, notice.DeliveryId.ToString("D", CultureInfo.InvariantCulture)),
                new(TimestampHeader, timestamp),
                new(SignatureHeader, Signature(secret, timestamp, body)),
            ],
            cancellationToken);
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <c>"{timestamp}.{body}"</c> keyed with <paramref name="secret"/>.</summary>
    public static string Signature(string secret, string timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>The body: the event, the link, and the deployment as reported.</summary>
    public static JsonObject Payload(DeploymentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var d = notice.Deployment;
        return new JsonObject
        {
            ["event"] = notice.Event.Name(),
            ["deliveryId"] = notice.DeliveryId.ToString("D", CultureInfo.InvariantCulture),
            ["title"] = notice.Title,
            ["link"] = notice.Link.AbsoluteUri,
            ["detail"] = notice.Detail,
            ["at"] = d.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["deployment"] = new JsonObject
            {
                ["id"] = d.Id.ToString("D", CultureInfo.InvariantCulture),
                ["app"] = d.App,
                ["environment"] = d.Environment,
                ["state"] = d.State.Name(),
                ["strategy"] = d.Strategy.Name(),
                ["repository"] = d.Repository,
                ["commit"] = d.Commit,
                ["branch"] = d.Branch,
                ["pullRequest"] = d.PullRequest,
                ["failedStage"] = d.FailedStage?.ToString().ToLowerInvariant(),
                ["reason"] = d.Reason,
                ["imageTag"] = d.ImageTag,
                ["url"] = d.Url,
                ["rollbackOf"] = d.RollbackOf?.ToString("D", CultureInfo.InvariantCulture),
                ["triggeredBy"] = d.TriggeredBy,
                ["durationSeconds"] = Math.Round(d.Duration.TotalSeconds, 1),
            },
        };
    }
}
