using System.Text.Json.Nodes;
using DeployMind.Application.Notifications;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>
/// Slack through an incoming webhook: <c>text</c> (the title and the link, what notifications and old clients show) and
/// Block Kit blocks (the title linked to the deployment's page, the facts as fields, a button to open it).
/// </summary>
internal sealed class SlackSender(NotificationHttp http) : INotificationSender
{
    public string Type => "slack";

    public Task SendAsync(DeploymentNotice notice, NotificationTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(target);
        return http.PostJsonAsync(target.Url ?? throw new ArgumentException("A Slack channel needs its webhook URL.", nameof(target)), Payload(notice).ToJsonString(), null, cancellationToken);
    }

    /// <summary>The message as Slack's incoming webhook takes it.</summary>
    public static JsonObject Payload(DeploymentNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        var link = notice.Link.AbsoluteUri;
        var fields = new JsonArray();
        foreach (var (label, value) in notice.Facts.Where(f => f.Label != "Event").Take(10))
        {
            fields.Add(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"*{Escape(label)}*\n{Escape(value)}" });
        }

        return new JsonObject
        {
            ["text"] = $"{Escape(notice.Title)} <{link}|deployment {notice.ShortId}>",
            ["blocks"] = new JsonArray
            {
                new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = $"{(notice.IsBad ? ":warning: " : string.Empty)}*<{link}|{Escape(notice.Title)}>*" } },
                new JsonObject { ["type"] = "section", ["fields"] = fields },
                new JsonObject
                {
                    ["type"] = "actions",
                    ["elements"] = new JsonArray
                    {
                        new JsonObject { ["type"] = "button", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Open deployment" }, ["url"] = link },
                    },
                },
            },
        };
    }

    /// <summary>Slack's mrkdwn escapes: &amp;, &lt; and &gt; (so a reason cannot make a link or a mention).</summary>
    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
