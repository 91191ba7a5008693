using System.Text.Json;
using DeployMind.Application.Records;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

/// <summary><c>deploymind status</c> shows the stage agents' recorded explanations: an <c>explanations</c> list in JSON, a table in the panel.</summary>
public sealed class StatusExplanationsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-status-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Status_RecordedExplanations_JsonListsThemWithEveryFieldAndThePanelShowsThem()
    {
        var database = Path.Combine(_dir.FullName, "deploymind.db");
        var id = await RecordAsync(database);

        var (code, json) = await RunAsync(database, "status", id.ToString(), "--output", "json");
        var (_, panel) = await RunAsync(database, "status", id.ToString());

        Assert.Equal(ExitCodes.BuildFailed, code);
        using var document = JsonDocument.Parse(json);
        var explanations = document.RootElement.GetProperty("explanations").EnumerateArray().ToList();
        Assert.Equal(2, explanations.Count);
        Assert.Equal(
            ["stage", "agent", "text", "recommendations", "verdict", "model"],
            explanations[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("build-agent", explanations[1].GetProperty("agent").GetString());
        Assert.Equal("halt", explanations[1].GetProperty("verdict").GetString());
        Assert.Equal("llama-3.3-70b-versatile", explanations[1].GetProperty("model").GetString());
        Assert.Equal(["Use a slim base image."], explanations[1].GetProperty("recommendations").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("rules", explanations[0].GetProperty("model").GetString());
        Assert.Contains("Explanations", panel, StringComparison.Ordinal);
        Assert.Contains("The image runs as root.", panel, StringComparison.Ordinal);
        Assert.Contains("→ Use a slim base image.", panel, StringComparison.Ordinal);
        Assert.Contains("asked to halt the deployment", panel, StringComparison.Ordinal);
    }

    private static async Task<Guid> RecordAsync(string database)
    {
        using var host = CliHostFactory.Isolated(database).Create(null, null, verbose: false);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var at = DateTimeOffset.UtcNow;
        var d = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:test", at);
        await store.AddAsync(d, CancellationToken.None);
        d.MoveTo(DeploymentState.Scanning, "scan started", at);
        d.MoveTo(DeploymentState.Building, "build started", at);
        d.Fail(PipelineStage.Build, "the advisor build-agent halted the deployment after build: the image runs as root", at);
        await store.SaveAsync(d, CancellationToken.None);
        await store.SaveExplanationsAsync(
            d.Id,
            [
                new("scan", "security-agent", "The scan read 12 file(s) and found no committed secret and no risky setting.", [], "none", "rules"),
                new("build", "build-agent", "The image runs as root.", ["Use a slim base image."], "halt", "llama-3.3-70b-versatile"),
            ],
            CancellationToken.None);
        return d.Id;
    }

    private static async Task<(int Code, string Output)> RunAsync(string database, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(database), CancellationToken.None);
        return (code, console.Output);
    }
}
