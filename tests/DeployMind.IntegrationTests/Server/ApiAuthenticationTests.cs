using System.Net;
using DeployMind.Application.Records;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Server;

/// <summary>Bearer tokens on /api over real HTTP: no, wrong and revoked tokens get 401 with WWW-Authenticate; no token is ever logged.</summary>
public sealed class ApiAuthenticationTests
{
    [Fact]
    public async Task Api_WithoutValidToken_Is401WithChallenge_AndNoTokenIsLogged()
    {
        // Everything ASP.NET Core and EF Core log, down to Trace.
        await using var server = await DeployMindServerFixture.StartAsync(minimumLevel: LogLevel.Trace);
        var valid = await server.CreateTokenAsync("ci");
        var revoked = await server.CreateTokenAsync("old");
        Assert.True(await server.Services.GetRequiredService<IApiTokens>().RevokeAsync("old", CancellationToken.None));
        var wrong = "dm_" + new string('x', 43);

        using var none = await server.CreateClient().GetAsync("api/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", Assert.Single(none.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Authorization: Bearer", (await ApiTestData.JsonAsync(none))["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        foreach (var token in new[] { wrong, revoked })
        {
            using var refused = await server.CreateClient(token).GetAsync("api/deployments");
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("invalid_token", challenge.Parameter, StringComparison.Ordinal);
            Assert.Equal("Invalid token", (await ApiTestData.JsonAsync(refused))["title"]!.GetValue<string>());
        }

        using var basic = new HttpRequestMessage(HttpMethod.Get, "api/deployments");
        basic.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("u:p"u8.ToArray()));
        using var basicAnswer = await server.CreateClient().SendAsync(basic);
        Assert.Equal(HttpStatusCode.Unauthorized, basicAnswer.StatusCode);

        using var ok = await server.CreateClient(valid).GetAsync("api/deployments");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var deliveries = await server.CreateClient(valid).GetAsync("api/webhooks/deliveries?limit=5");
        Assert.Equal(HttpStatusCode.OK, deliveries.StatusCode);
        using var deliveriesWithout = await server.CreateClient().GetAsync("api/webhooks/deliveries");
        Assert.Equal(HttpStatusCode.Unauthorized, deliveriesWithout.StatusCode);

        // The requests were logged (so the capture works), the tokens were not: neither whole nor their secret part.
        var logs = server.Logs;
        Assert.Contains("/api/deployments", logs, StringComparison.Ordinal);
        Assert.Contains("refused", logs, StringComparison.Ordinal);
        foreach (var token in new[] { valid, wrong, revoked })
        {
            Assert.DoesNotContain(token[3..], logs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_And_OpenApi_NeedNoToken()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var client = server.CreateClient();
        using var health = await client.GetAsync("healthz");
        using var openApi = await client.GetAsync("openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    [Fact]
    public async Task OpenApiDocument_ListsTheApi_WithTheBearerScheme()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        using var response = await server.CreateClient().GetAsync("openapi/v1.json");
        var document = await ApiTestData.JsonAsync(response);

        var scheme = document["components"]?["securitySchemes"]?["Bearer"];
        Assert.NotNull(scheme);
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        foreach (var path in new[] { "/api/deployments", "/api/deployments/{id}", "/api/deployments/{id}/rollback", "/api/deployments/{id}/cancel", "/api/deployments/{id}/events", "/api/webhooks/deliveries" })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is not in the document");
        }

        var list = paths["/api/deployments"]!["get"]!;
        Assert.Equal("ListDeployments", list["operationId"]!.GetValue<string>());
        Assert.True(list["security"]![0]!.AsObject().ContainsKey("Bearer"));
        Assert.Equal("CreateDeployment", paths["/api/deployments"]!["post"]!["operationId"]!.GetValue<string>());
        Assert.True(paths["/api/deployments"]!["post"]!["responses"]!.AsObject().ContainsKey("202"));

        // Endpoints outside /api need no token.
        Assert.Null(paths["/healthz"]?["get"]?["security"]);
    }
}
