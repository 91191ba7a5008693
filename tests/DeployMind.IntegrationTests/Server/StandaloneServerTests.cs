using System.Collections.Concurrent;
using System.Diagnostics;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Server;

/// <summary>
/// The server runs on its own (DeployMind.Server's own Program, what <c>dotnet run --project src/DeployMind.Server</c>
/// starts): it answers, its workers run a job queued by the CLI through the Application's job runner (the app's own
/// deploymind.yml read in the job's scope), and a mistyped argument is refused with the closest known one.
/// </summary>
public sealed class StandaloneServerTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();
    private readonly DeploymindProcesses _cli;
    private readonly int _port = Support.Docker.FreePort();

    public StandaloneServerTests()
    {
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["DEPLOYMIND__DATABASE__PATH"] = Path.Combine(_home.Path, "deploymind.db"),
        });
    }

    public void Dispose()
    {
        _cli.Dispose();
        _app.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task TheServerOnItsOwn_Answers_RunsAQueuedJobWithTheAppsOwnConfiguration_AndStopsOnSigterm()
    {
        // The app blocks at the scan (a committed key) under its own policy, so the job ends after its first stage.
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), "AWS_ACCESS_KEY_ID=AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)])) + "\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), "app: standalone-shop\nenvironments:\n  standalone:\n    strategy: canary\n");
        var config = Path.Combine(_home.Path, "server.yml");
        File.WriteAllText(config, "server:\n  workers:\n    environments: [standalone]\n");

        var output = new ConcurrentQueue<string>();
        var server = StartServer(output, "--config", config, "--urls", $"http://127.0.0.1:{_port}", "--shutdown-timeout", "20s");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(10) };
        await DeploymindProcesses.WaitReadyAsync(client, server, output);

        var queued = await _cli.RunAsync("deploy", _app.Path, "--env", "standalone", "--queue", "--output", "json");
        Assert.True(queued.ExitCode == 0, queued.StandardOutput + queued.StandardError);
        using var answer = System.Text.Json.JsonDocument.Parse(queued.StandardOutput);
        var id = answer.RootElement.GetProperty("id").GetString()!;

        var finished = await _cli.WaitForStateAsync(id, state => state is "failed" or "succeeded" or "cancelled", TimeSpan.FromMinutes(2));
        Assert.Equal("failed", finished.GetProperty("state").GetString());
        Assert.Equal("scan", finished.GetProperty("failedStage").GetString());
        Assert.Equal("standalone-shop", finished.GetProperty("app").GetString());
        Assert.Equal("canary", finished.GetProperty("strategy").GetString());
        Assert.DoesNotContain(output, line => line.Contains("AKIA", StringComparison.Ordinal));

        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(server.WaitForExit(30_000), "the server did not stop on SIGTERM: " + string.Join('\n', output));
        Assert.Equal(0, server.ExitCode);
    }

    [Fact]
    public async Task AJobWhoseAppConfigurationNamesAStrategyNoTargetRuns_FailsOnceWithThatKey_NotRetried()
    {
        // Queued while the configuration was good; the app's deploymind.yml is broken before a worker takes the job.
        File.WriteAllText(Path.Combine(_app.Path, "index.html"), "<p>ok</p>\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), "app: standalone-shop\nenvironments:\n  standalone:\n    strategy: canary\n");
        var queued = await _cli.RunAsync("deploy", _app.Path, "--env", "standalone", "--queue", "--output", "json");
        Assert.True(queued.ExitCode == 0, queued.StandardOutput + queued.StandardError);
        using var answer = System.Text.Json.JsonDocument.Parse(queued.StandardOutput);
        var id = answer.RootElement.GetProperty("id").GetString()!;
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), "app: standalone-shop\nenvironments:\n  standalone:\n    strategy: canery\n");

        _cli.StartWorker("standalone", "w1");
        var finished = await _cli.WaitForStateAsync(id, state => state is "failed" or "succeeded" or "cancelled", TimeSpan.FromMinutes(2));

        Assert.Equal("failed", finished.GetProperty("state").GetString());
        Assert.Contains("environments.standalone.strategy: 'canery' is not a strategy", finished.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var queue = await _cli.RunAsync("queue", "--environment", "standalone", "--dead-letters", "--output", "json");
        Assert.DoesNotContain(id, queue.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMistypedArgument_IsRefusedWithTheClosestKnownOne()
    {
        var output = new ConcurrentQueue<string>();
        var server = StartServer(output, "--confg", "server.yml");

        Assert.True(server.WaitForExit(60_000));
        await Task.Delay(200);
        Assert.Equal(2, server.ExitCode);
        Assert.Contains(output, line => line.Contains("unknown argument '--confg'", StringComparison.Ordinal) && line.Contains("did you mean --config?", StringComparison.Ordinal));
    }

    private Process StartServer(ConcurrentQueue<string> output, params string[] args) =>
        _cli.StartProgram(Path.Combine(AppContext.BaseDirectory, "DeployMind.Server.dll"), output, args);
}
