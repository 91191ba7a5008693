using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>Health, readiness, metrics and the OpenAPI document of the real server.</summary>
public sealed partial class ServerEndpointsTests
{
    [Fact]
    public async Task HealthAndReadiness_AnswerWithWhatTheyChecked()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>());

        using var health = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var ready = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!;
        Assert.StartsWith("ok (SQLite ", checks["database"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("ok", checks["queue"]!.GetValue<string>());
    }

    [Fact]
    public async Task Readiness_Is503_WhenTheQueueIsDown_SayingWhich()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>
        {
            ["queue:provider"] = "redis",
            ["queue:redis"] = "127.0.0.1:1,connectTimeout=300,syncTimeout=300,asyncTimeout=300,abortConnect=false,connectRetry=0",
        });

        using var ready = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!;
        Assert.StartsWith("unavailable", checks["queue"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("ok", checks["database"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountDeliveriesByResult_AndShowTheQueues()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?> { ["server:webhookSecret"] = "m" });
        var before = await CounterAsync(server, "push", "queued");
        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        (await server.Client.SendAsync(SignedDelivery.Signed("push", body, "m"))).Dispose();
        (await server.Client.SendAsync(SignedDelivery.Signed("push", body, "wrong"))).Dispose();

        Assert.Equal(before + 1, await CounterAsync(server, "push", "queued"));
        var text = await server.Client.GetStringAsync("/metrics");
        Assert.Matches(@"deploymind_webhook_deliveries_total\{event=""push"",result=""unauthorized""\} [1-9]", text);
        Assert.Matches(@"deploymind_queue_waiting_jobs\{environment=""production""\} 1", text);
        Assert.Matches(@"deploymind_jobs_queued_total\{environment=""production"",source=""webhook""\} [1-9]", text);
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesTheWebhookEndpoint()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?>());

        var document = JsonNode.Parse(await server.Client.GetStringAsync("/openapi/v1.json"))!;
        var webhook = document["paths"]!["/webhooks/github"]!["post"]!;
        Assert.NotNull(webhook["responses"]!["202"]);
        Assert.NotNull(webhook["responses"]!["401"]);
        Assert.NotNull(document["paths"]!["/readyz"]);
    }

    private static async Task<double> CounterAsync(DeployMindServerFixture server, string eventName, string result)
    {
        var text = await server.Client.GetStringAsync("/metrics");
        var match = Regex.Match(text, $"deploymind_webhook_deliveries_total\\{{event=\"{eventName}\",result=\"{result}\"\\}} ([0-9.e+]+)");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
