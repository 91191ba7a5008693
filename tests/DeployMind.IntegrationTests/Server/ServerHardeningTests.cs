using System.Net;
using DeployMind.IntegrationTests.Support;
using DeployMind.IntegrationTests.Webhooks;
using DeployMind.Server;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.IntegrationTests.Server;

/// <summary>What every answer carries (security headers, no caching), failed token checks rate limited per address, and the event stream's headers sent at once.</summary>
public sealed class ServerHardeningTests
{
    [Fact]
    public async Task EveryAnswer_CarriesTheSecurityHeaders_AndAuthenticatedJsonIsNotStored()
    {
        await using var server = await DeployMindServerFixture.StartAsync(new Dictionary<string, string?> { ["server:webhookSecret"] = "headers-secret" });
        var token = await server.CreateTokenAsync();
        var ping = SignedDelivery.Fixture("ping.json");
        using var webhook = await server.Client.SendAsync(SignedDelivery.Signed("ping", ping, "headers-secret"));
        using var refusedWebhook = await server.Client.SendAsync(SignedDelivery.Signed("ping", ping, "wrong"));
        using var api = await server.CreateClient(token).GetAsync("api/deployments");
        using var refusedApi = await server.CreateClient().GetAsync("api/deployments");
        using var missing = await server.CreateClient(token).GetAsync($"api/deployments/{Guid.NewGuid()}");
        using var health = await server.Client.GetAsync("healthz");
        using var metrics = await server.Client.GetAsync("metrics");

        Assert.Equal(
            [HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.OK],
            new[] { webhook, refusedWebhook, api, refusedApi, missing, health, metrics }.Select(r => r.StatusCode));
        foreach (var (what, response) in new[] { ("webhook", webhook), ("refused webhook", refusedWebhook), ("api", api), ("refused api", refusedApi), ("404", missing), ("healthz", health), ("metrics", metrics) })
        {
            Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out var sniff) && sniff.Single() == "nosniff", $"{what}: X-Content-Type-Options");
            Assert.True(response.Headers.TryGetValues("X-Frame-Options", out var frame) && frame.Single() == "DENY", $"{what}: X-Frame-Options");
            Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp) && csp.Single() == "default-src 'none'; frame-ancestors 'none'", $"{what}: Content-Security-Policy");
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what}: Cache-Control is '{response.Headers.CacheControl}'");
        }

        Assert.Equal("application/json", api.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task FailedTokenChecks_PastTheLimit_Answer429WithRetryAfter_WhileAValidTokenStillWorks()
    {
        await using var server = await DeployMindServerFixture.StartAsync(services: s => s.AddSingleton(new ServerLimits { FailedTokenLimit = 3, FailedTokenWindow = TimeSpan.FromMinutes(5) }));
        var valid = server.CreateClient(await server.CreateTokenAsync());
        var guesser = server.CreateClient("dm_" + new string('x', 43));
        var none = server.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await guesser.GetAsync("api/deployments");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retryAfter = response.Headers.RetryAfter?.Delta;
                Assert.True(retryAfter is { } delta && delta > TimeSpan.Zero && delta <= TimeSpan.FromMinutes(5), $"Retry-After: {response.Headers.RetryAfter}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("valid token is still accepted", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // Successes from the same address in between neither count nor are refused.
            using var ok = await valid.GetAsync("api/deployments");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        // No token at all is not a failed check: still the plain challenge.
        using var without = await none.GetAsync("api/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Single(server.Logs.Split('\n'), line => line.Contains("failed too many API token checks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventStream_SendsItsHeadersAtOnce_BeforeAnyEventIsDue()
    {
        // Default timing: a queued deployment has no event, and the first keep-alive is 15 s away.
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient(await server.CreateTokenAsync());
        var deployment = await ApiTestData.RecordAsync(server.Store);
        using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        using var response = await client.GetAsync($"api/deployments/{deployment.Id}/events", HttpCompletionOption.ResponseHeadersRead, quick.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"Cache-Control is '{response.Headers.CacheControl}'");
        Assert.True(response.Headers.TryGetValues("X-Content-Type-Options", out _));
    }
}
