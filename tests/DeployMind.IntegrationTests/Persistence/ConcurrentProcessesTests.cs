using System.Text.Json;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Persistence;

/// <summary>Separate `deploymind` processes recording into one SQLite file at the same time, as two terminals (or a worker and a terminal) do.</summary>
public sealed class ConcurrentProcessesTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();

    public void Dispose()
    {
        _home.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task DeploysFromSeveralProcessesAtOnce_AreAllRecorded_AndTheFileStaysIntact()
    {
        // A repository the scan halts (a committed key), so each run records a whole deployment without Docker.
        var key = "AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)]));
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), $"AWS_ACCESS_KEY_ID={key}\n");
        File.WriteAllText(Path.Combine(_app.Path, "server.py"), "print('hello')\n");
        const int processes = 3, runsEach = 3;

        var results = await Task.WhenAll(Enumerable.Range(0, processes).Select(async p =>
        {
            var codes = new List<int>();
            for (var i = 0; i < runsEach; i++)
            {
                codes.Add((await CliAsync("deploy", _app.Path, "--env", $"env-{p}")).ExitCode);
            }

            return codes;
        }));

        Assert.All(results.SelectMany(c => c), code => Assert.Equal(7, code));
        var list = await CliAsync("list", "--limit", "100", "--output", "json");
        Assert.True(list.Succeeded, list.StandardError);
        using var doc = JsonDocument.Parse(list.StandardOutput);
        var deployments = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(processes * runsEach, deployments.Count);
        Assert.All(deployments, d => Assert.Equal("failed", d.GetProperty("state").GetString()));
        Assert.All(deployments, d => Assert.Equal("scan", d.GetProperty("failedStage").GetString()));
        Assert.Equal(processes, deployments.Select(d => d.GetProperty("environment").GetString()).Distinct().Count());

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_home.Path, "deploymind.db")}");
        await connection.OpenAsync();
        await using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check;";
        Assert.Equal("ok", (string?)await check.ExecuteScalarAsync());
        Assert.DoesNotContain(key, list.StandardOutput, StringComparison.Ordinal);
    }

    // The default store: $DEPLOYMIND_HOME/deploymind.db. No machine configuration.
    private Task<CommandResult> CliAsync(params string[] args) => new DeploymindProcesses(new Dictionary<string, string>
    {
        ["DEPLOYMIND_HOME"] = _home.Path,
        ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
    }).RunAsync(args);
}
