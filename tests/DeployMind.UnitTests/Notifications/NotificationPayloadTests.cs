using DeployMind.Application.Notifications;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Notifications;

namespace DeployMind.UnitTests.Notifications;

public sealed class NotificationPayloadTests
{
    private static readonly Uri Link = new("https://deploy.example.com/deployments/0f8fad5b-d9cb-469f-a165-70867728950e");

    [Fact]
    public void Signature_IsHmacSha256OfTimestampDotBody_InLowerCaseHex()
    {
        // Computed independently: python3 -c "import hmac,hashlib; print(hmac.new(b\"It's a Secret to Everybody\", b'1700000000.Hello, World!', hashlib.sha256).hexdigest())"
        Assert.Equal(
            "sha256=76c83fd0acdf22faed320674fe8e04d528cfe8a17905e720a9611e40677c03b7",
            SignedWebhookSender.Signature("It's a Secret to Everybody", "1700000000", "Hello, World!"));
    }

    [Fact]
    public void Title_SaysWhatHappened_ToWhichCommitAndEnvironment()
    {
        var failed = NotificationDispatcherTests.Report(DeploymentState.Failed);

        Assert.Equal("shop: deployment a1b2c3d to production failed at build", new DeploymentNotice(NotificationEvent.Failed, failed, Link).Title);
        Assert.Equal("shop: deployed a1b2c3d to production", new DeploymentNotice(NotificationEvent.Succeeded, failed with { State = DeploymentState.Succeeded }, Link).Title);
        Assert.Equal("shop: deploying a1b2c3d to production", new DeploymentNotice(NotificationEvent.Started, failed with { State = DeploymentState.Scanning }, Link).Title);
    }

    [Fact]
    public void SlackPayload_EscapesMarkup_SoAReasonCannotMentionOrLink()
    {
        var report = NotificationDispatcherTests.Report(DeploymentState.Failed) with { Reason = "<!channel> see <https://evil.example|here> & more" };

        var json = SlackSender.Payload(new DeploymentNotice(NotificationEvent.Failed, report, Link)).ToJsonString();

        Assert.DoesNotContain("<!channel>", json, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", System.Text.Json.Nodes.JsonNode.Parse(json)!["blocks"]![1]!.ToJsonString().Replace("\\u0026", "&", StringComparison.Ordinal).Replace("\\u003C", "<", StringComparison.Ordinal).Replace("\\u003E", ">", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Email_HasSubjectRecipientsLinkInTextAndHtml()
    {
        var notice = new DeploymentNotice(NotificationEvent.Failed, NotificationDispatcherTests.Report(DeploymentState.Failed), Link);

        using var message = EmailSender.Message(notice, new NotificationChannelOptions { From = "dm@example.com", To = ["a@example.com", "b@example.com"] });

        Assert.Equal("[DeployMind] shop: deployment a1b2c3d to production failed at build", message.Subject);
        Assert.Equal(["a@example.com", "b@example.com"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Contains(Link.AbsoluteUri, message.TextBody, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Link.AbsoluteUri}\"", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Reason: docker build exited with 1", message.TextBody, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type", "bogus", "notifications.channels.c.type: 'bogus' is not a channel type")]
    [InlineData("urlVariable", null, "notifications.channels.c: give urlVariable")]
    [InlineData("events", "deployed", "notifications.channels.c.events: 'deployed' is not an event")]
    [InlineData("secretVariable", null, "notifications.channels.c: give secretVariable or secretFile")]
    public void Validator_NamesTheKey(string key, string? value, string expected)
    {
        var channel = new NotificationChannelOptions { Type = "webhook", UrlVariable = "HOOK_URL", SecretVariable = "HOOK_SECRET" };
        switch (key)
        {
            case "type": channel.Type = value; break;
            case "urlVariable": channel.UrlVariable = value; break;
            case "events": channel.Events = [value!]; break;
            case "secretVariable": channel.SecretVariable = value; break;
        }

        var problems = NotificationOptionsValidator.Problems(new NotificationOptions { Channels = { ["c"] = channel } });

        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_EmailAndTimeouts()
    {
        var problems = NotificationOptionsValidator.Problems(new NotificationOptions
        {
            Timeout = "5m",
            PublicUrl = "deploy.example.com",
            Channels = { ["mail"] = new NotificationChannelOptions { Type = "email", From = "dm@example.com", Smtp = new SmtpOptions { User = "u", Security = "ssl3" } } },
        });

        Assert.Contains(problems, p => p.StartsWith("notifications.timeout:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("notifications.publicUrl:", StringComparison.Ordinal));
        Assert.Contains("notifications.channels.mail.to: give at least one recipient.", problems);
        Assert.Contains("notifications.channels.mail.smtp.host: give the SMTP server's host name.", problems);
        Assert.Contains(problems, p => p.StartsWith("notifications.channels.mail.smtp.security:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("notifications.channels.mail.smtp: give passwordVariable or passwordFile", StringComparison.Ordinal));
        Assert.Empty(NotificationOptionsValidator.Problems(new NotificationOptions()));
    }
}
