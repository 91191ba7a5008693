using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// The operator's cases around a CLI deploy, with real processes, builds, containers and nginx under a load loop: a CLI
/// deploy started while a worker deploys the same app waits for the target's lock (nothing fails), and a CLI killed
/// mid-deploy is recorded interrupted, its never-routed container removed, the previous release serving throughout.
/// </summary>
public sealed class CliAndWorkerTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _first = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly TempFolder _second = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _appName = "dmit-serial-" + Guid.NewGuid().ToString("N")[..8];
    private readonly DeploymindProcesses _cli;

    public CliAndWorkerTests()
    {
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Repo.LocalBaseImagesConfig,
            ["DEPLOYMIND__NGINX__PREFIX"] = _prefix.Path,
            ["DEPLOYMIND__QUEUE__PROVIDER"] = "embedded",
            ["DEPLOYMIND__QUEUE__LOCKTTL"] = "5s",
        });
    }

    private string Port => _port.ToString(CultureInfo.InvariantCulture);

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _cli.Dispose();
        _first.Dispose();
        _second.Dispose();
        _prefix.Dispose();
        _home.Dispose();
    }

    public async Task DisposeAsync()
    {
        _cli.Dispose();
        var ids = await Docker.Runner.RunAsync(CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={_appName}"), null, CancellationToken.None);
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        foreach (var folder in new[] { _first, _second })
        {
            var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", Application.Build.ImageNames.Repository(Path.GetFileName(folder.Path)));
            foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Docker.RemoveImageAsync(image);
            }
        }

        Dispose();
    }

    [Fact]
    public async Task ACliDeployStartedWhileAWorkerDeploysTheSameApp_WaitsForTheLock_ThenDeploys_AndNoRequestFails()
    {
        Configure(_first, "v1");
        var v1 = await CliAsync("deploy", _first.Path, "--port", Port);
        Assert.True(v1.Succeeded, v1.StandardOutput + v1.StandardError);
        await using var load = new LoadLoop(_port, pause: TimeSpan.FromMilliseconds(5));

        // The worker deploys v2 (from one folder; its health checks take 10 s); while it holds docker:local, a CLI deploys v3
        // (another folder, same app).
        Configure(_first, "v2", successes: 20, interval: "500ms");
        Configure(_second, "v3");
        var queued = await CliAsync("deploy", _first.Path, "--queue", "--port", Port, "--output", "json");
        Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
        string workerId;
        using (var doc = JsonDocument.Parse(queued.StandardOutput))
        {
            workerId = doc.RootElement.GetProperty("shortId").GetString()!;
        }

        _cli.StartWorker("production", "w1");
        await _cli.WaitForStateAsync(workerId, s => s is "deploying", TimeSpan.FromSeconds(120));
        var output = new ConcurrentQueue<string>();
        var cliDeploy = _cli.Start(output, "deploy", _second.Path, "--port", Port);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4)))
        {
            await cliDeploy.WaitForExitAsync(timeout.Token);
        }

        var worker = await _cli.WaitForStateAsync(workerId, s => s is "succeeded" or "failed" or "rolled_back" or "cancelled", TimeSpan.FromSeconds(120));
        await load.StopAsync();

        var text = string.Join('\n', output);
        Assert.True(cliDeploy.ExitCode == 0, text);
        Assert.Equal("succeeded", worker.GetProperty("state").GetString());
        Assert.Contains("waiting for the lock of docker:local, held by w1: deployment", text, StringComparison.Ordinal);

        // One after the other: the CLI's run took the lock (a newer fencing token) only once the worker's had finished.
        var list = await CliAsync("list", "--app", _appName, "--output", "json");
        using var all = JsonDocument.Parse(list.StandardOutput);
        var cli = all.RootElement.EnumerateArray().First(d => d.GetProperty("triggeredBy").GetString()!.StartsWith("cli:", StringComparison.Ordinal)
            && d.GetProperty("id").GetString()!.StartsWith(workerId, StringComparison.Ordinal) is false
            && d.GetProperty("state").GetString() == "succeeded" && d.GetProperty("createdAt").GetDateTimeOffset() > worker.GetProperty("createdAt").GetDateTimeOffset());
        var workerEnded = worker.GetProperty("updatedAt").GetDateTimeOffset();
        var cliHolding = Holding(cli);
        var workerHolding = Holding(worker);
        Assert.True(cliHolding.At >= workerEnded, $"the CLI took the lock at {cliHolding.At:O}, before the worker's deployment ended at {workerEnded:O}");
        Assert.True(cliHolding.Token > workerHolding.Token, $"fencing tokens {workerHolding.Token} then {cliHolding.Token}");

        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples.Take(5))}");
        Assert.True(load.Count("\"v2\"") > 0, "the worker's release never served");
        using var client = new HttpClient();
        Assert.Contains("\"v3\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACliKilledMidDeploy_IsRecordedInterrupted_ItsNeverRoutedContainerRemoved_ThePreviousReleaseServingThroughout()
    {
        Configure(_first, "v1");
        var v1 = await CliAsync("deploy", _first.Path, "--port", Port);
        Assert.True(v1.Succeeded, v1.StandardOutput + v1.StandardError);
        await using var load = new LoadLoop(_port, pause: TimeSpan.FromMilliseconds(5));

        // v2's health checks take a while (20, half a second apart): the CLI is killed while they run.
        Configure(_first, "v2", successes: 20, interval: "500ms");
        var cliDeploy = _cli.Start(null, "deploy", _first.Path, "--port", Port);
        var firstRelease = await ServingReleaseAsync();
        var deploying = await WaitForListedAsync(d => d.GetProperty("state").GetString() == "deploying", TimeSpan.FromMinutes(4));
        var id = deploying.GetProperty("shortId").GetString()!;
        var release = await WaitForNewContainerAsync(firstRelease, TimeSpan.FromSeconds(60));
        cliDeploy.Kill(entireProcessTree: true);
        await cliDeploy.WaitForExitAsync();

        // Until its lock expires (5s) nobody can tell it from a slow run; after that, it is interrupted.
        var running = await CliAsync("status", id, "--output", "json");
        var watch = Stopwatch.StartNew();
        CommandResult status;
        while (true)
        {
            status = await CliAsync("status", id, "--output", "json");
            if (status.ExitCode != 9 || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                break;
            }

            await Task.Delay(500);
        }

        await load.StopAsync();
        Assert.True(running.ExitCode is 9 or 6, running.StandardOutput);
        Assert.True(status.ExitCode == 6, status.StandardOutput + status.StandardError);
        using var doc = JsonDocument.Parse(status.StandardOutput);
        var deployment = doc.RootElement.GetProperty("deployment");
        Assert.Equal("failed", deployment.GetProperty("state").GetString());
        var reason = deployment.GetProperty("reason").GetString()!;
        Assert.StartsWith("interrupted: the process that ran it (cli:", reason, StringComparison.Ordinal);
        Assert.Contains($"removed {_appName}-{release}", reason, StringComparison.Ordinal);
        var left = await Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.release={release}");
        Assert.Equal(string.Empty, left.StandardOutput.Trim());
        Assert.True(load.Failures == 0, $"{load.Failures} of {load.Requests} requests failed: {string.Join(" | ", load.FailureSamples.Take(5))}");
        using var client = new HttpClient();
        Assert.Contains("\"v1\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        // The host's own ledger (what a rollback reads when the records are gone) names v1, verified, and never v2.
        var ledger = File.ReadAllLines(Path.Combine(_prefix.Path, "conf", "sites", $"{_appName}.verified"));
        Assert.Equal([firstRelease], ledger);
        Assert.DoesNotContain(release, ledger);
    }

    /// <summary>The app's deploymind.yml and a version the app answers with on <c>/</c>.</summary>
    private void Configure(TempFolder folder, string version, int successes = 2, string interval = "250ms")
    {
        File.WriteAllText(Path.Combine(folder.Path, "deploymind.yml"), $$"""
            app: {{_appName}}
            environments:
              production:
                healthCheck: { path: /health, interval: {{interval}}, successes: {{successes}}, deadline: 60s }
                verify: { interval: 250ms, successes: 2 }
            """);
        var main = Path.Combine(folder.Path, "main.go");
        var source = File.ReadAllText(main);
        var start = source.IndexOf("\t\tversion = \"", StringComparison.Ordinal);
        var end = source.IndexOf('"', start + "\t\tversion = \"".Length);
        File.WriteAllText(main, source[..start] + $"\t\tversion = \"{version}" + source[end..]);
    }

    private static (DateTimeOffset At, long Token) Holding(JsonElement deployment)
    {
        var note = deployment.GetProperty("events").EnumerateArray()
            .First(e => e.GetProperty("detail").GetString()!.StartsWith("holding docker:local with fencing token ", StringComparison.Ordinal));
        var token = note.GetProperty("detail").GetString()!["holding docker:local with fencing token ".Length..].Split(' ')[0];
        return (note.GetProperty("at").GetDateTimeOffset(), long.Parse(token, CultureInfo.InvariantCulture));
    }

    private async Task<string> ServingReleaseAsync() =>
        (await Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={_appName}", "--format", "{{.Label \"io.deploymind.release\"}}")).StandardOutput.Trim();

    /// <summary>The release of a container of the app other than <paramref name="known"/>, once one has started.</summary>
    private async Task<string> WaitForNewContainerAsync(string known, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var releases = await Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={_appName}", "--format", "{{.Label \"io.deploymind.release\"}}");
            if (releases.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(r => r != known) is { } release)
            {
                return release;
            }

            Assert.True(watch.Elapsed < limit, $"no new container of {_appName} started within {limit}");
            await Task.Delay(200);
        }
    }

    private async Task<JsonElement> WaitForListedAsync(Func<JsonElement, bool> wanted, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var list = await CliAsync("list", "--app", _appName, "--output", "json");
            if (list.StandardOutput.TrimStart().StartsWith('['))
            {
                using var doc = JsonDocument.Parse(list.StandardOutput);
                if (doc.RootElement.EnumerateArray().FirstOrDefault(wanted) is { ValueKind: JsonValueKind.Object } found)
                {
                    return found.Clone();
                }
            }

            Assert.True(watch.Elapsed < limit, $"no deployment of {_appName} got there within {limit}: {list.StandardOutput}");
            await Task.Delay(200);
        }
    }

    private Task<CommandResult> CliAsync(params string[] args) => _cli.RunAsync(args);
}
