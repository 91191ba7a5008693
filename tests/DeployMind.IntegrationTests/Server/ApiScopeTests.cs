using System.Net;
using System.Security.Cryptography;
using System.Text;
using DeployMind.Application.Records;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.IntegrationTests.Server;

/// <summary>
/// Token scopes on every /api endpoint, over real HTTP: read reads, deploy also acts, admin also manages the tokens;
/// a token short of the scope gets 403 problem+json naming the scope it needs; a token made before scopes is deploy.
/// </summary>
public sealed class ApiScopeTests
{
    [Fact]
    public async Task EveryEndpoint_ChecksTheTokensScope_AdminIncludesDeployIncludesRead()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var tokens = server.Get<IApiTokens>();
        var read = server.CreateClient(await tokens.CreateAsync("viewer", ApiScope.Read, CancellationToken.None));
        var deploy = server.CreateClient(await tokens.CreateAsync("ci", ApiScope.Deploy, CancellationToken.None));
        var admin = server.CreateClient(await tokens.CreateAsync("root", ApiScope.Admin, CancellationToken.None));
        using var queued = await deploy.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/shop" }));
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = (await ApiTestData.JsonAsync(queued))["id"]!.GetValue<string>();

        // What each endpoint needs, and each token's answer (the reads and the tokens' list are GETs; the rest change things).
        var endpoints = new (HttpMethod Method, string Path, ApiScope Needs)[]
        {
            (HttpMethod.Get, "api/deployments", ApiScope.Read),
            (HttpMethod.Get, $"api/deployments/{id}", ApiScope.Read),
            (HttpMethod.Get, "api/webhooks/deliveries", ApiScope.Read),
            (HttpMethod.Post, $"api/deployments/{id}/explain", ApiScope.Read),
            (HttpMethod.Post, "api/deployments", ApiScope.Deploy),
            (HttpMethod.Post, $"api/deployments/{id}/rollback", ApiScope.Deploy),
            (HttpMethod.Post, $"api/deployments/{id}/cancel", ApiScope.Deploy),
            (HttpMethod.Get, "api/tokens", ApiScope.Admin),
            (HttpMethod.Delete, "api/tokens/nobody", ApiScope.Admin),
        };
        foreach (var (client, scope) in new[] { (read, ApiScope.Read), (deploy, ApiScope.Deploy), (admin, ApiScope.Admin) })
        {
            foreach (var (method, path, needs) in endpoints)
            {
                using var request = new HttpRequestMessage(method, path);
                if (method == HttpMethod.Post && path == "api/deployments")
                {
                    request.Content = JsonContent(new { repository = "acme/shop" });
                }

                using var response = await client.SendAsync(request);
                if (scope.Allows(needs))
                {
                    Assert.True(response.StatusCode != HttpStatusCode.Forbidden && response.StatusCode != HttpStatusCode.Unauthorized, $"{scope} {method} {path}: {response.StatusCode}");
                    continue;
                }

                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{scope} {method} {path}: {response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await ApiTestData.JsonAsync(response);
                Assert.Equal("Insufficient scope", problem["title"]!.GetValue<string>());
                Assert.Equal(needs.Name(), problem["requiredScope"]!.GetValue<string>());
                Assert.Equal(scope.Name(), problem["tokenScope"]!.GetValue<string>());
                Assert.Contains($"needs a token with the '{needs.Name()}' scope", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Contains($"scope=\"{needs.Name()}\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
            }
        }

        // Only the deploy and admin tokens queued deployments (the first one, one by each of them), and the read token's did nothing.
        var recorded = await server.Store.ListAsync(new DeploymentQuery { Limit = 50 }, CancellationToken.None);
        Assert.Equal(["api:ci", "api:ci", "api:root"], recorded.Where(d => d.RollbackOf is null).Select(d => d.TriggeredBy).Order());

        // The admin lists the tokens with their scopes (never the tokens) and revokes one.
        using var list = await admin.GetAsync("api/tokens");
        var listed = (await ApiTestData.JsonAsync(list)).AsArray();
        Assert.Equal(["ci:deploy", "root:admin", "viewer:read"], listed.Select(t => $"{t!["name"]}:{t["scope"]}").Order());
        using var revoke = await admin.DeleteAsync("api/tokens/viewer");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await read.GetAsync("api/deployments");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task TokenMadeBeforeScopes_KeepsWorking_AsDeploy_NotAdmin()
    {
        await using var server = await DeployMindServerFixture.StartAsync();

        // A row as the previous schema wrote it: no scope column given, so the migration's default applies.
        var token = "dm_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        await using (var db = server.Get<DeployMindDatabase>().CreateContext())
        {
            await db.Database.ExecuteSqlAsync($"INSERT INTO api_tokens (\"Name\", \"Hash\", \"CreatedAtMs\") VALUES ('legacy', {hash}, 0)");
        }

        var client = server.CreateClient(token);
        using var reads = await client.GetAsync("api/deployments");
        using var deploys = await client.SendAsync(ApiTestData.Post("api/deployments", new { repository = "acme/shop" }));
        using var admins = await client.GetAsync("api/tokens");

        Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, deploys.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, admins.StatusCode);
        Assert.Equal(ApiScope.Deploy, Assert.Single(await server.Get<IApiTokens>().ListAsync(CancellationToken.None)).Scope);
    }

    private static StringContent JsonContent(object body) => new(System.Text.Json.JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
}
