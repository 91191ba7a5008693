using System.Globalization;
using System.Text.Json.Nodes;
using DeployMind.Application.Notifications;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>Discord through a channel webhook: one embed (title linked to the deployment's page, colour by outcome, the facts as fields); mentions are off.</summary>
internal sealed class DiscordSender(NotificationHttp http) : INotificationSender
{
    private const int Green = 0x2E7D32;
    private const int Red = 0xC62828;
    private const int Grey = 0x546E7A;

    public string Type => "discord";

    public Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(target);
        return http.PostJsonAsync(target.Url ?? throw new ArgumentException("A Discord channel needs its webhook URL.", nameof(target)), Payload(notice).ToJsonString(), null, cancellationToken);
    }

    /// <summary>The message as Discord's execute-webhook endpoint takes it.</summary>
    public static JsonObject Payload(DeploymentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var fields = new JsonArray();
        foreach (var (label, value) in notice.Facts.Where(f => f.Label != "Event").Take(25))
        {
            fields.Add(new JsonObject { ["name"] = label, ["value"] = Clip(value, 1024), ["inline"] = value.Length <= 40 });
        }

        return new JsonObject
        {
            ["content"] = Clip(notice.Title, 2000),
            ["allowed_mentions"] = new JsonObject { ["parse"] = new JsonArray() },
            ["embeds"] = new JsonArray
            {
                new JsonObject
                {
                    ["title"] = Clip(notice.Title, 256),
                    ["url"] = notice.Link.AbsoluteUri,
                    ["description"] = $"[Open deployment {notice.ShortId}]({notice.Link.AbsoluteUri})",
                    ["color"] = notice.IsBad ? Red : notice.Event == NotificationEvent.Succeeded ? Green : Grey,
                    ["fields"] = fields,
                    ["timestamp"] = notice.Deployment.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                },
            },
        };
    }

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
