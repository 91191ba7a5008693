using System.Diagnostics;
using System.Text.Json;
using DeployMind.Application.Jobs;
using DeployMind.Infrastructure.Persistence;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>`deploymind deploy --queue` and `deploymind worker` as real processes on the embedded queue (no Redis).</summary>
public sealed class WorkerProcessTests : IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();
    private readonly DeploymindProcesses _cli;

    public WorkerProcessTests()
    {
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["DEPLOYMIND__QUEUE__PROVIDER"] = "embedded",
        });
    }

    public void Dispose()
    {
        _cli.Dispose();
        _home.Dispose();
        _app.Dispose();
    }

    [Fact]
    public async Task QueuedJobs_RunByTwoWorkers_EachDeploymentFinishesExactlyOnce_AndTheQueueEmpties()
    {
        // A repository the scan halts (a committed key): each job runs a whole recorded pipeline without Docker.
        var key = "AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)]));
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), $"AWS_ACCESS_KEY_ID={key}\n");
        const int jobs = 6;
        var ids = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            var queued = await CliAsync("deploy", _app.Path, "--queue", "--request-id", $"req-{i}", "--output", "json");
            Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
            using var doc = JsonDocument.Parse(queued.StandardOutput);
            ids.Add(doc.RootElement.GetProperty("id").GetString()!);
        }

        var again = await CliAsync("deploy", _app.Path, "--queue", "--request-id", "req-0", "--output", "json");
        using (var duplicate = JsonDocument.Parse(again.StandardOutput))
        {
            Assert.False(duplicate.RootElement.GetProperty("queued").GetBoolean());
            Assert.Equal(ids[0], duplicate.RootElement.GetProperty("id").GetString());
        }

        // Another process follows one deployment's log from before any worker runs until it finishes.
        var follow = CliAsync("logs", ids[^1], "--follow");
        await Task.Delay(TimeSpan.FromSeconds(1));
        StartWorker("w1");
        StartWorker("w2");
        var deployments = await WaitAsync(ids, TimeSpan.FromSeconds(90));
        var followed = await follow;
        Assert.Equal(7, followed.ExitCode);
        Assert.Contains("blocking finding", followed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("failed at scan", followed.StandardOutput, StringComparison.Ordinal);

        Assert.All(deployments, d =>
        {
            Assert.Equal("failed", d.GetProperty("state").GetString());
            Assert.Equal("scan", d.GetProperty("failedStage").GetString());
            var terminal = d.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("to").GetString() is "failed" or "succeeded" or "rolled_back" or "cancelled");
            Assert.Equal(1, terminal);
        });
        var queue = await CliAsync("queue", "--output", "json");
        using var stats = JsonDocument.Parse(queue.StandardOutput);
        var production = stats.RootElement.GetProperty("queues")[0];
        Assert.Equal(0, production.GetProperty("waiting").GetInt64());
        Assert.Equal(0, production.GetProperty("inFlight").GetInt64());
        Assert.Equal(0, production.GetProperty("deadLetters").GetInt64());
    }

    [Fact]
    public async Task DeployQueue_ARequestIdReusedForAnotherEnvironment_IsRefused_AndQueuesNothing()
    {
        var first = await CliAsync("deploy", _app.Path, "--queue", "--request-id", "release-7", "--output", "json");
        Assert.True(first.Succeeded, first.StandardError + first.StandardOutput);
        using var doc = JsonDocument.Parse(first.StandardOutput);
        var id = doc.RootElement.GetProperty("id").GetString()!;
        Assert.Equal(DeploymentIntake.IdFor("cli:release-7").ToString(), id);

        var other = await CliAsync("deploy", _app.Path, "--queue", "--env", "staging", "--request-id", "release-7");

        Assert.Equal(2, other.ExitCode);
        Assert.Contains($"--request-id release-7 was used for another request: deployment {id[..8]}", other.StandardOutput + other.StandardError, StringComparison.Ordinal);
        var queue = new EmbeddedJobQueue(
            Options.Create(new DatabaseOptions { Path = Path.Combine(_home.Path, "deploymind.db") }), Options.Create(new QueueOptions()), TimeProvider.System);
        using (queue)
        {
            Assert.Equal(0, (await queue.StatsAsync("staging", CancellationToken.None)).Waiting);
            Assert.Equal(1, (await queue.StatsAsync("production", CancellationToken.None)).Waiting);
        }
    }

    [Fact]
    public async Task DeployQueue_WithARelativePath_QueuesTheAbsoluteFolder_WhichAWorkerInAnotherFolderDeploys()
    {
        var key = "AKIA" + string.Concat(Enumerable.Range(0, 16).Select(_ => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)]));
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), $"AWS_ACCESS_KEY_ID={key}\n");

        var queued = await _cli.RunInAsync(Path.GetDirectoryName(_app.Path), "deploy", Path.GetFileName(_app.Path), "--queue", "--output", "json");
        Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
        using var doc = JsonDocument.Parse(queued.StandardOutput);
        var id = doc.RootElement.GetProperty("id").GetString()!;

        // The job as the queue holds it: the folder, absolute.
        var queue = new EmbeddedJobQueue(
            Options.Create(new DatabaseOptions { Path = Path.Combine(_home.Path, "deploymind.db") }), Options.Create(new QueueOptions()), TimeProvider.System);
        using (queue)
        {
            var lease = await queue.TakeAsync("production", "inspector", TimeSpan.FromSeconds(5), CancellationToken.None);
            Assert.NotNull(lease);
            Assert.Equal(Path.GetFullPath(_app.Path), lease.Job.Path);
            await queue.ReleaseAsync(lease, TimeSpan.Zero, "inspected", CancellationToken.None);
        }

        // A worker started elsewhere (this test's folder) scans that folder: the committed key blocks it.
        StartWorker("elsewhere");
        var deployment = Assert.Single(await WaitAsync([id], TimeSpan.FromSeconds(60)));
        Assert.Equal("failed", deployment.GetProperty("state").GetString());
        Assert.Equal("scan", deployment.GetProperty("failedStage").GetString());
        Assert.Contains(deployment.GetProperty("events").EnumerateArray(), e => e.GetProperty("detail").GetString()!.Contains("blocking finding", StringComparison.Ordinal));
    }

    private async Task<List<JsonElement>> WaitAsync(List<string> ids, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var list = await CliAsync("list", "--limit", "100", "--output", "json");
            var doc = JsonDocument.Parse(list.StandardOutput);
            var mine = doc.RootElement.EnumerateArray().Where(d => ids.Contains(d.GetProperty("id").GetString()!)).Select(d => d.Clone()).ToList();
            if (mine.Count == ids.Count && mine.All(d => d.GetProperty("state").GetString() is "failed" or "succeeded" or "rolled_back" or "cancelled"))
            {
                return mine;
            }

            Assert.True(watch.Elapsed < limit, $"not all deployments finished within {limit}: {list.StandardOutput}");
            await Task.Delay(500);
        }
    }

    private void StartWorker(string name) => _cli.StartWorker("production", name);

    private Task<CommandResult> CliAsync(params string[] args) => _cli.RunAsync(args);
}
