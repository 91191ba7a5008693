using System.Text.Json.Nodes;
using DeployMind.Application.Notifications;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>
/// Microsoft Teams through an incoming webhook (a Workflows "post to a channel when a webhook request is received" URL, or
/// a classic connector's): a message with one Adaptive Card — the title, the facts as a FactSet, and an
/// <c>Action.OpenUrl</c> to the deployment's page.
/// </summary>
internal sealed class TeamsSender(NotificationHttp http) : INotificationSender
{
    public string Type => "teams";

    public Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(target);
        return http.PostJsonAsync(target.Url ?? throw new ArgumentException("A Teams channel needs its webhook URL.", nameof(target)), Payload(notice).ToJsonString(), null, cancellationToken);
    }

    /// <summary>The message as Teams' incoming webhooks take it.</summary>
    public static JsonObject Payload(DeploymentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var facts = new JsonArray();
        foreach (var (label, value) in notice.Facts)
        {
            facts.Add(new JsonObject { ["title"] = label, ["value"] = value });
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["summary"] = notice.Title,
            ["attachments"] = new JsonArray
            {
                new JsonObject
                {
                    ["contentType"] = "application/vnd.microsoft.card.adaptive",
                    ["contentUrl"] = null,
                    ["content"] = new JsonObject
                    {
                        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                        ["type"] = "AdaptiveCard",
                        ["version"] = "1.4",
                        ["msteams"] = new JsonObject { ["width"] = "Full" },
                        ["body"] = new JsonArray
                        {
                            new JsonObject
                            {
                                ["type"] = "TextBlock",
                                ["text"] = notice.Title,
                                ["weight"] = "Bolder",
                                ["size"] = "Medium",
                                ["wrap"] = true,
                                ["color"] = notice.IsBad ? "Attention" : notice.Event == NotificationEvent.Succeeded ? "Good" : "Default",
                            },
                            new JsonObject { ["type"] = "FactSet", ["facts"] = facts },
                        },
                        ["actions"] = new JsonArray
                        {
                            new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "Open deployment", ["url"] = notice.Link.AbsoluteUri },
                        },
                    },
                },
            },
        };
    }
}
