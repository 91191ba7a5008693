using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Server;

/// <summary>GET /api/deployments and GET /api/deployments/{id} over real HTTP against recorded deployments.</summary>
public sealed class DeploymentQueryApiTests : IAsyncLifetime
{
    private DeployMindServerFixture _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await DeployMindServerFixture.StartAsync();
        _client = _server.CreateClient(await _server.CreateTokenAsync());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task List_FiltersAndLimits_NewestFirst()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var oldest = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Succeeded, at: start);
        var staging = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Failed, environment: "staging", at: start.AddMinutes(1));
        var other = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Succeeded, app: "billing", at: start.AddMinutes(2), repository: "acme/billing");
        var newest = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Building, at: start.AddMinutes(3));

        var all = await ListAsync("api/deployments");
        Assert.Equal([newest.Id, other.Id, staging.Id, oldest.Id], all.Select(IdOf));
        Assert.Equal("building", all[0]!["state"]!.GetValue<string>());
        Assert.Equal("rolling", all[0]!["strategy"]!.GetValue<string>());
        Assert.Equal(newest.ShortId(), all[0]!["shortId"]!.GetValue<string>());
        Assert.Equal("build", all[2]!["failedStage"]!.GetValue<string>());

        Assert.Equal([staging.Id], (await ListAsync("api/deployments?environment=staging")).Select(IdOf));
        Assert.Equal([other.Id], (await ListAsync("api/deployments?app=billing")).Select(IdOf));
        Assert.Equal([other.Id], (await ListAsync("api/deployments?repository=acme/billing")).Select(IdOf));
        Assert.Equal([other.Id, oldest.Id], (await ListAsync("api/deployments?state=succeeded")).Select(IdOf));
        Assert.Equal([newest.Id, other.Id], (await ListAsync("api/deployments?limit=2")).Select(IdOf));
    }

    [Theory]
    [InlineData("state=sleeping", "state", "rolled_back")]
    [InlineData("limit=0", "limit", "1 to 200")]
    [InlineData("limit=201", "limit", "1 to 200")]
    [InlineData("limit=ten", "limit", "1 to 200")]
    [InlineData("before=yesterday", "before", "ISO 8601")]
    public async Task List_BadParameter_Is400NamingIt(string query, string parameter, string hint)
    {
        using var response = await _client.GetAsync($"api/deployments?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ApiTestData.JsonAsync(response);
        var message = problem["errors"]![parameter]![0]!.GetValue<string>();
        Assert.Contains(hint, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_ByIdAndPrefix_WithTimelineAndFindings()
    {
        var deployment = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Succeeded, withRelease: true);
        await _server.Store.SaveFindingsAsync(deployment.Id, "secrets", [new RecordedFinding("secrets", "aws-key", "AWS access key", Severity.High, SecurityFindingKind.Secret, "app.js", 3, 7, "AKIA****", false)], CancellationToken.None);

        foreach (var id in new[] { deployment.Id.ToString(), deployment.ShortId(), deployment.Id.ToString()[..5] })
        {
            using var response = await _client.GetAsync($"api/deployments/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = await ApiTestData.JsonAsync(response);
            Assert.Equal(deployment.Id, IdOf(json));
            Assert.Equal("succeeded", json["state"]!.GetValue<string>());
            Assert.Equal("20261127-0800-abc", json["releaseId"]!.GetValue<string>());
            var events = json["events"]!.AsArray();
            Assert.Equal(5, events.Count);
            Assert.Equal("queued", events[0]!["from"]!.GetValue<string>());
            Assert.Equal("scanning", events[0]!["to"]!.GetValue<string>());
            Assert.True(events[0]!["transition"]!.GetValue<bool>());
            var finding = Assert.Single(json["findings"]!.AsArray());
            Assert.Equal("high", finding!["severity"]!.GetValue<string>());
            Assert.Equal("secret", finding["kind"]!.GetValue<string>());
            Assert.Equal("AKIA****", finding["redactedExcerpt"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Get_HasTheRecordedExplanations()
    {
        var deployment = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Succeeded, withRelease: true);
        await _server.Store.SaveExplanationsAsync(deployment.Id, [new RecordedExplanation("build", "build-agent", "Built from cache.", ["Pin the base image."], "none", "rules")], CancellationToken.None);

        using var response = await _client.GetAsync($"api/deployments/{deployment.ShortId()}");

        var explanation = Assert.Single((await ApiTestData.JsonAsync(response))["explanations"]!.AsArray())!;
        Assert.Equal(("build", "build-agent", "Built from cache.", "rules"), (explanation["stage"]!.GetValue<string>(), explanation["agent"]!.GetValue<string>(), explanation["text"]!.GetValue<string>(), explanation["model"]!.GetValue<string>()));
        Assert.Equal("Pin the base image.", explanation["recommendations"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_AnswersFromTheRecords_WithTheFiguresUsed()
    {
        var deployment = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Failed);

        using var asked = await _client.PostAsJsonAsync($"api/deployments/{deployment.ShortId()}/explain", new { question = "What broke?" });
        using var bare = await _client.PostAsync($"api/deployments/{deployment.ShortId()}/explain", null);

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var answer = await ApiTestData.JsonAsync(asked);
        Assert.Equal("What broke?", answer["question"]!.GetValue<string>());
        Assert.Equal("rules", answer["model"]!.GetValue<string>());
        Assert.Contains("failed at the build stage: the build failed", answer["answer"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("failed stage: build", answer["figures"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, bare.StatusCode);
        Assert.Equal("Why did this deployment end the way it did?", (await ApiTestData.JsonAsync(bare))["question"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_BadRequests_AreProblemsNamingWhatToSend()
    {
        var deployment = await ApiTestData.RecordAsync(_server.Store, DeploymentState.Failed);

        using var tooLong = await _client.PostAsJsonAsync($"api/deployments/{deployment.ShortId()}/explain", new { question = new string('?', 501) });
        using var notJson = await _client.PostAsync($"api/deployments/{deployment.ShortId()}/explain", new StringContent("why?", System.Text.Encoding.UTF8, "text/plain"));
        using var unknown = await _client.PostAsync($"api/deployments/{Guid.NewGuid()}/explain", null);

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("at most 500", (await ApiTestData.JsonAsync(tooLong))["errors"]!["question"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, notJson.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Get_UnknownOrAmbiguous_IsProblem404Or409()
    {
        await ApiTestData.RecordAsync(_server.Store, id: Guid.Parse("abcd1234-0000-4000-8000-000000000001"));
        await ApiTestData.RecordAsync(_server.Store, id: Guid.Parse("abcd1234-0000-4000-8000-000000000002"));

        using var unknown = await _client.GetAsync($"api/deployments/{Guid.NewGuid()}");
        using var noMatch = await _client.GetAsync("api/deployments/ffff0000");
        using var notAnId = await _client.GetAsync("api/deployments/hello");
        using var ambiguous = await _client.GetAsync("api/deployments/abcd1234");
        using var unique = await _client.GetAsync("api/deployments/abcd1234-0000-4000-8000-000000000002");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, noMatch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, ambiguous.StatusCode);
        Assert.Contains("more than one", (await ApiTestData.JsonAsync(ambiguous))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, unique.StatusCode);
    }

    [Fact]
    public async Task WebhookDeliveries_AreListedNewestFirst()
    {
        var deliveries = (IWebhookDeliveries)_server.Services.GetService(typeof(IWebhookDeliveries))!;
        var at = DateTimeOffset.UtcNow;
        await deliveries.RecordAsync(new WebhookDelivery("d-1", "push", null, "acme/shop-api", at.AddMinutes(-1), "ignored", "branch feature is not deployed", null), CancellationToken.None);
        await deliveries.RecordAsync(new WebhookDelivery("d-2", "push", null, "acme/shop-api", at, "queued", "deploys abc1234 of main to production", Guid.NewGuid()), CancellationToken.None);

        using var response = await _client.GetAsync("api/webhooks/deliveries?limit=1");
        using var bad = await _client.GetAsync("api/webhooks/deliveries?limit=-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var only = Assert.Single((await ApiTestData.JsonAsync(response)).AsArray());
        Assert.Equal("d-2", only!["deliveryId"]!.GetValue<string>());
        Assert.Equal("queued", only["result"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotNull((await ApiTestData.JsonAsync(bad))["errors"]!["limit"]);
    }

    private async Task<JsonArray> ListAsync(string url)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await ApiTestData.JsonAsync(response)).AsArray();
    }

    private static Guid IdOf(JsonNode? node) => Guid.Parse(node!["id"]!.GetValue<string>());
}
