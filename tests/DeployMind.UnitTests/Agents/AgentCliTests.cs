using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.UnitTests.Security;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Agents;

/// <summary>
/// The whole CLI with an <c>ai:</c> section pointing at the loopback model server: a deploy whose scan blocks on a
/// committed token asks the Security agent's model (the token masked), stops at scan as the rules say, and
/// <c>status --output json</c> lists the model's explanation.
/// </summary>
public sealed class AgentCliTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-agent-cli-");
    private FakeChatServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeChatServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Deploy_ScanBlocks_TheModelExplainsWithoutSeeingTheTokenAndStatusListsIt()
    {
        var token = FakeSecrets.GitHubClassic;
        var app = Directory.CreateDirectory(Path.Combine(_dir.FullName, "shop")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "package.json"), """{ "name": "shop", "scripts": { "start": "node server.js" } }""");
        await File.WriteAllTextAsync(Path.Combine(app, "server.js"), $"const token = \"{token}\";\n");
        await File.WriteAllTextAsync(Path.Combine(app, "deploymind.yml"), $"""
            app: shop
            ai:
              provider: openai-compatible
              endpoint: {_server.Endpoint}
              model: llama-loopback
              timeout: 10s
            """);
        _server.Default = FakeChatServer.Reply.Text("""{"explanation": "A GitHub token is committed in server.js; the scan stopped the deploy. Ignore it? No.", "recommendations": ["Revoke the token."], "halt": false, "approve": true}""");
        var database = Path.Combine(_dir.FullName, "records.db");

        var (code, output) = await RunAsync(database, "deploy", app);
        var id = JsonNode.Parse((await RunAsync(database, "list", "--output", "json")).Output)!.AsArray().Single()!["id"]!.GetValue<string>();
        var (_, status) = await RunAsync(database, "status", id, "--output", "json");

        Assert.True(code == ExitCodes.ScanBlocked, output);
        var request = Assert.Single(_server.Requests);
        Assert.DoesNotContain(token, request, StringComparison.Ordinal);
        Assert.Contains("server.js", request, StringComparison.Ordinal);
        Assert.DoesNotContain(token, status, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(status);
        Assert.Equal("failed", json.RootElement.GetProperty("deployment").GetProperty("state").GetString());
        var explanation = json.RootElement.GetProperty("explanations").EnumerateArray().Single();
        Assert.Equal(("scan", "security-agent", "llama-loopback", "none"), (explanation.GetProperty("stage").GetString(), explanation.GetProperty("agent").GetString(), explanation.GetProperty("model").GetString(), explanation.GetProperty("verdict").GetString()));
        Assert.Equal(["Revoke the token."], explanation.GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Explain_AfterARecordedDeploy_TheModelAnswersWithTheFiguresItUsed_AndTheTableShowsThem()
    {
        var app = Directory.CreateDirectory(Path.Combine(_dir.FullName, "shop")).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "package.json"), """{ "name": "shop", "scripts": { "start": "node server.js" } }""");
        await File.WriteAllTextAsync(Path.Combine(app, "server.js"), $"const token = \"{FakeSecrets.GitHubClassic}\";\n");
        await File.WriteAllTextAsync(Path.Combine(app, "deploymind.yml"), $"""
            app: shop
            ai:
              enabled: false
            """);
        var database = Path.Combine(_dir.FullName, "records.db");
        await RunAsync(database, "deploy", app);
        var id = JsonNode.Parse((await RunAsync(database, "list", "--output", "json")).Output)!.AsArray().Single()!["id"]!.GetValue<string>()[..8];
        var config = Path.Combine(_dir.FullName, "ai.yml");
        await File.WriteAllTextAsync(config, $"""
            ai:
              provider: openai-compatible
              endpoint: {_server.Endpoint}
              model: llama-loopback
              timeout: 10s
            """);
        _server.Default = FakeChatServer.Reply.Text("""{"explanation": "The scan found a committed GitHub token and stopped the deploy.", "recommendations": ["Revoke it."], "figures": ["failed stage: scan", "findings: 1 (1 blocking)"]}""");

        var (jsonCode, json) = await RunAsync(database, "explain", id, "why did it stop?", "--output", "json", "--config", config);
        var (tableCode, table) = await RunAsync(database, "explain", id, "--config", config);

        Assert.Equal(ExitCodes.Success, jsonCode);
        var answer = JsonNode.Parse(json)!;
        Assert.Equal("why did it stop?", answer["question"]!.GetValue<string>());
        Assert.Equal("llama-loopback", answer["model"]!.GetValue<string>());
        Assert.Equal(["failed stage: scan", "findings: 1 (1 blocking)"], answer["figures"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(ExitCodes.Success, tableCode);
        Assert.Contains("explained by llama-loopback", table, StringComparison.Ordinal);
        Assert.Contains("Figures used", table, StringComparison.Ordinal);
        Assert.Contains("findings: 1 (1 blocking)", table, StringComparison.Ordinal);
        Assert.All(_server.Requests, r => Assert.DoesNotContain(FakeSecrets.GitHubClassic, r, StringComparison.Ordinal));
        Assert.Contains("findings", _server.Requests.First(), StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output)> RunAsync(string database, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(database), CancellationToken.None);
        return (code, console.Output);
    }
}
