using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Server;

/// <summary><c>deploymind token create/list/revoke</c> on the server's database: the printed token works on the API until revoked.</summary>
public sealed class TokenCliTests
{
    [Fact]
    public async Task TokenCommands_CreateWorksOnTheApi_ListNeverShowsIt_RevokeStopsIt()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var database = server.DatabasePath;

        var (created, createOutput) = await RunAsync(database, "token", "create", "ci");
        Assert.Equal(0, created);
        var token = createOutput.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("dm_", StringComparison.Ordinal));
        Assert.Contains($"Authorization: Bearer {token}", createOutput, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var ok = await client.GetAsync("api/deployments"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var (listed, listOutput) = await RunAsync(database, "token", "list", "--output", "json");
        Assert.Equal(0, listed);
        Assert.DoesNotContain(token, listOutput, StringComparison.Ordinal);
        var entry = Assert.Single(JsonNode.Parse(listOutput)!.AsArray());
        Assert.Equal("ci", entry!["name"]!.GetValue<string>());
        Assert.False(entry["revoked"]!.GetValue<bool>());
        Assert.NotNull(entry["lastUsedAt"]);

        var (duplicate, duplicateOutput) = await RunAsync(database, "token", "create", "ci");
        Assert.Equal(ExitCodes.InvalidInput, duplicate);
        Assert.Contains("exists already", duplicateOutput, StringComparison.Ordinal);

        var (revoked, _) = await RunAsync(database, "token", "revoke", "ci");
        Assert.Equal(0, revoked);
        using (var refused = await client.GetAsync("api/deployments"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var (table, tableOutput) = await RunAsync(database, "token", "list");
        Assert.Equal(0, table);
        Assert.Contains("ci", tableOutput, StringComparison.Ordinal);
        var (again, _) = await RunAsync(database, "token", "revoke", "ci");
        Assert.Equal(ExitCodes.InvalidInput, again);
    }

    [Fact]
    public async Task TokenCreate_WithScope_GivesATokenThatCanDoThatMuch_ListShowsTheScope_AnUnknownScopeIsRefused()
    {
        await using var server = await DeployMindServerFixture.StartAsync();
        var database = server.DatabasePath;

        var (created, createOutput) = await RunAsync(database, "token", "create", "viewer", "--scope", "read", "--output", "json");
        var (bad, badOutput) = await RunAsync(database, "token", "create", "other", "--scope", "root");
        var (_, listOutput) = await RunAsync(database, "token", "list", "--output", "json");

        Assert.Equal(0, created);
        var json = JsonNode.Parse(createOutput)!;
        Assert.Equal("read", json["scope"]!.GetValue<string>());
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", json["token"]!.GetValue<string>());
        using (var reads = await client.GetAsync("api/deployments"))
        {
            Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
        }

        using (var acts = await client.PostAsync("api/deployments", new StringContent("{\"repository\":\"acme/shop\"}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Forbidden, acts.StatusCode);
        }

        Assert.Equal(ExitCodes.InvalidInput, bad);
        Assert.Contains("--scope: 'root' is not a scope; use read, deploy or admin.", badOutput, StringComparison.Ordinal);
        Assert.Equal("read", Assert.Single(JsonNode.Parse(listOutput)!.AsArray())!["scope"]!.GetValue<string>());
    }

    private static async Task<(int Code, string Output)> RunAsync(string database, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var hosts = new CliHostFactory(new Dictionary<string, string?> { ["database:path"] = database }, null, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
