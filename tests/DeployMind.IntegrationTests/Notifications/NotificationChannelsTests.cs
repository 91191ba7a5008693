using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Server;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Notifications;

/// <summary>
/// Notifications through the real server: a deployment queued over the API, run by the server's worker, ends failed, and
/// every kind of channel — Slack, Discord, Teams, a signed webhook (loopback Kestrel receivers) and email (a loopback SMTP
/// server) — gets one message about it, each checked for its content and the link to the deployment's page.
/// </summary>
public sealed class NotificationChannelsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
    private readonly string _hookSecret = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly List<string> _variables = [];
    private LoopbackReceiver _receiver = null!;
    private SmtpTestServer _smtp = null!;

    public async Task InitializeAsync()
    {
        _receiver = await LoopbackReceiver.StartAsync();
        _smtp = SmtpTestServer.Start();
    }

    public async Task DisposeAsync()
    {
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        await _receiver.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task ApiDeploymentThatFails_IsNotifiedOnEveryChannel_WithItsLink_AndNoSecretIsLogged()
    {
        var slack = _receiver.Url($"slack/services/T0/B0/{_secret}");
        var discord = _receiver.Url($"discord/api/webhooks/1/{_secret}");
        var teams = _receiver.Url($"teams/workflows/{_secret}");
        var hook = _receiver.Url($"hook/{_secret}");
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:workers:enabled"] = "true",
            ["notifications:publicUrl"] = "https://deploy.example.test/",
            ["notifications:timeout"] = "10s",
            ["notifications:channels:ops-slack:type"] = "slack",
            ["notifications:channels:ops-slack:urlVariable"] = Variable("SLACK", slack.AbsoluteUri),
            ["notifications:channels:ops-discord:type"] = "discord",
            ["notifications:channels:ops-discord:urlVariable"] = Variable("DISCORD", discord.AbsoluteUri),
            ["notifications:channels:ops-teams:type"] = "teams",
            ["notifications:channels:ops-teams:urlVariable"] = Variable("TEAMS", teams.AbsoluteUri),
            ["notifications:channels:audit:type"] = "webhook",
            ["notifications:channels:audit:urlVariable"] = Variable("HOOK", hook.AbsoluteUri),
            ["notifications:channels:audit:secretVariable"] = Variable("HOOK_SECRET", _hookSecret),
            ["notifications:channels:oncall:type"] = "email",
            ["notifications:channels:oncall:from"] = "deploymind@example.test",
            ["notifications:channels:oncall:to:0"] = "oncall@example.test",
            ["notifications:channels:oncall:to:1"] = "lead@example.test",
            ["notifications:channels:oncall:smtp:host"] = "127.0.0.1",
            ["notifications:channels:oncall:smtp:port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["notifications:channels:oncall:smtp:security"] = "none",
            ["notifications:channels:oncall:smtp:user"] = "mailer",
            ["notifications:channels:oncall:smtp:passwordVariable"] = Variable("SMTP_PASSWORD", _password),

            // Not for this event: it must stay silent.
            ["notifications:channels:success-only:type"] = "slack",
            ["notifications:channels:success-only:urlVariable"] = Variable("SLACK_SUCCESS", _receiver.Url("never").AbsoluteUri),
            ["notifications:channels:success-only:events:0"] = "succeeded",
        });
        var client = server.CreateClient(await server.CreateTokenAsync("ci"));
        var missing = Path.Combine(Path.GetTempPath(), "dm-it-no-such-repo-" + _suffix);

        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = missing, environment = "production" }));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = Guid.Parse((await ApiTestData.JsonAsync(response))["id"]!.GetValue<string>());
        var deployment = await WaitFinishedAsync(server.Store, id);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        var link = $"https://deploy.example.test/deployments/{id:D}";

        // Five requests: one per HTTP channel; the email separately.
        var requests = new List<ReceivedRequest>();
        for (var i = 0; i < 4; i++)
        {
            requests.Add(await _receiver.NextAsync(Wait));
        }

        var byChannel = requests.ToDictionary(r => r.Path.Split('/')[1]);
        Assert.Equal(["discord", "hook", "slack", "teams"], byChannel.Keys.Order());
        Assert.All(requests, r => Assert.Equal("POST", r.Method));
        Assert.All(requests, r => Assert.StartsWith("application/json", r.Headers["Content-Type"], StringComparison.Ordinal));

        var slackJson = JsonNode.Parse(byChannel["slack"].Body)!;
        Assert.Equal(slack.AbsolutePath, byChannel["slack"].Path);
        Assert.Contains("production failed at scan", slackJson["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"<{link}|deployment {id.ToString("N")[..8]}>", slackJson["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(link, slackJson["blocks"]![2]!["elements"]![0]!["url"]!.GetValue<string>());
        Assert.Contains(slackJson["blocks"]![1]!["fields"]!.AsArray(), f => f!["text"]!.GetValue<string>() == "*Environment*\nproduction");
        Assert.Contains(slackJson["blocks"]![1]!["fields"]!.AsArray(), f => f!["text"]!.GetValue<string>() == "*Triggered by*\napi:ci");

        var embed = JsonNode.Parse(byChannel["discord"].Body)!["embeds"]![0]!;
        Assert.Equal(link, embed["url"]!.GetValue<string>());
        Assert.Contains("failed at scan", embed["title"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(0xC62828, embed["color"]!.GetValue<int>());
        Assert.Empty(JsonNode.Parse(byChannel["discord"].Body)!["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Contains(embed["fields"]!.AsArray(), f => f!["name"]!.GetValue<string>() == "Reason" && f["value"]!.GetValue<string>().Contains("could not prepare the source", StringComparison.Ordinal));

        var card = JsonNode.Parse(byChannel["teams"].Body)!["attachments"]![0]!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", card["contentType"]!.GetValue<string>());
        Assert.Equal("AdaptiveCard", card["content"]!["type"]!.GetValue<string>());
        Assert.Equal(link, card["content"]!["actions"]![0]!["url"]!.GetValue<string>());
        Assert.Contains(card["content"]!["body"]![1]!["facts"]!.AsArray(), f => f!["title"]!.GetValue<string>() == "Event" && f["value"]!.GetValue<string>() == "failed");

        // The signed webhook: the signature is the HMAC-SHA256 of "{timestamp}.{body}" with the secret, as docs/notifications.md says.
        var signed = byChannel["hook"];
        Assert.Equal("failed", signed.Headers["X-DeployMind-Event"]);
        var timestamp = signed.Headers["X-DeployMind-Timestamp"];
        Assert.InRange(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddMinutes(-2).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(_hookSecret), Encoding.UTF8.GetBytes(timestamp + "." + signed.Body)));
        Assert.Equal(expected, signed.Headers["X-DeployMind-Signature"]);
        Assert.True(Guid.TryParse(signed.Headers["X-DeployMind-Delivery"], out _));
        var payload = JsonNode.Parse(signed.Body)!;
        Assert.Equal("failed", payload["event"]!.GetValue<string>());
        Assert.Equal(link, payload["link"]!.GetValue<string>());
        Assert.Equal(id.ToString("D"), payload["deployment"]!["id"]!.GetValue<string>());
        Assert.Equal("production", payload["deployment"]!["environment"]!.GetValue<string>());
        Assert.Equal("scan", payload["deployment"]!["failedStage"]!.GetValue<string>());
        Assert.Equal(missing, payload["deployment"]!["repository"]!.GetValue<string>());

        var mail = await _smtp.NextAsync(Wait);
        Assert.Equal("deploymind@example.test", mail.From);
        Assert.Equal(["oncall@example.test", "lead@example.test"], mail.To);
        Assert.Equal(("mailer", _password), (mail.User, mail.Password));
        Assert.Contains("Subject: [DeployMind] ", mail.Data, StringComparison.Ordinal);
        Assert.Contains("failed at scan", mail.Data, StringComparison.Ordinal);
        Assert.Contains(link, mail.Data, StringComparison.Ordinal);

        // Nothing else came (the success-only channel stayed silent), and no secret reached the logs.
        await Task.Delay(500);
        Assert.Empty(_receiver.Drain());
        Assert.Contains("Notified failed of deployment", server.Logs, StringComparison.Ordinal);
        foreach (var secret in new[] { _secret, _hookSecret, _password })
        {
            Assert.DoesNotContain(secret, server.Logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ChannelThatRefuses_IsRecordedInTheDeploymentsLog_AsAWarningWithoutItsUrl()
    {
        _receiver.Status = 403;
        var slack = _receiver.Url($"services/T0/B0/{_secret}");
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["server:workers:enabled"] = "true",
            ["notifications:channels:team:type"] = "slack",
            ["notifications:channels:team:urlVariable"] = Variable("SLACK", slack.AbsoluteUri),
            ["notifications:channels:team:events:0"] = "failed",
        });
        var client = server.CreateClient(await server.CreateTokenAsync("ci"));

        using var response = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = Path.Combine(Path.GetTempPath(), "dm-it-no-such-repo-" + _suffix) }));
        var id = Guid.Parse((await ApiTestData.JsonAsync(response))["id"]!.GetValue<string>());
        var deployment = await WaitFinishedAsync(server.Store, id);
        Assert.Equal(DeploymentState.Failed, deployment.State);
        var request = await _receiver.NextAsync(Wait);
        Assert.Equal(slack.AbsolutePath, request.Path);

        // Without notifications.publicUrl the link is on server.urls; the refusal is in the deployment's log, the URL is not.
        Assert.Contains($"http://127.0.0.1:8090/deployments/{id:D}", request.Body, StringComparison.Ordinal);
        var log = await WaitForLogAsync(server.Store, id, "notification 'team' (slack) of failed was not sent");
        Assert.Contains("403", log, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, server.Logs, StringComparison.Ordinal);
    }

    private string Variable(string name, string value)
    {
        var variable = $"DM_IT_NOTIFY_{name}_{_suffix}";
        Environment.SetEnvironmentVariable(variable, value);
        _variables.Add(variable);
        return variable;
    }

    internal static async Task<Deployment> WaitFinishedAsync(IDeploymentStore store, Guid id)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (await store.GetAsync(id, CancellationToken.None) is { IsFinished: true } finished)
            {
                return finished;
            }

            Assert.True(DateTime.UtcNow < deadline, $"deployment {id} did not finish within {Wait}");
            await Task.Delay(100);
        }
    }

    internal static async Task<string> WaitForLogAsync(IDeploymentStore store, Guid id, string text)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var log = string.Join('\n', (await store.ReadLogAsync(id, 0, 1000, CancellationToken.None)).Select(l => l.Text));
            if (log.Contains(text, StringComparison.Ordinal))
            {
                return log;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the log of {id} never said '{text}':\n{log}");
            await Task.Delay(100);
        }
    }
}
