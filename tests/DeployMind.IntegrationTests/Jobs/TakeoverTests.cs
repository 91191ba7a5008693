using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>A worker killed in the middle of a real deploy: another worker takes the job over once it is idle past the visibility timeout and finishes it.</summary>
public sealed class TakeoverTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _appName = "dmit-takeover-" + Guid.NewGuid().ToString("N")[..8];
    private readonly DeploymindProcesses _cli;

    public TakeoverTests()
    {
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Repo.LocalBaseImagesConfig,
            ["DEPLOYMIND__NGINX__PREFIX"] = _prefix.Path,
            ["DEPLOYMIND__QUEUE__VISIBILITYTIMEOUT"] = "4s",
            ["DEPLOYMIND__QUEUE__LOCKTTL"] = "4s",
        });
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _cli.Dispose();
        _app.Dispose();
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
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path)));
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        _app.Dispose();
        _prefix.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task AWorkerKilledMidDeploy_AnotherFinishesTheJobWithinTheVisibilityTimeout()
    {
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {_appName}\nenvironments:\n  production:\n    healthCheck: {{ path: /health, interval: 1s, successes: 8, deadline: 60s }}\n");
        var queued = await CliAsync("deploy", _app.Path, "--queue", "--port", _port.ToString(CultureInfo.InvariantCulture), "--output", "json");
        Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
        using var doc = JsonDocument.Parse(queued.StandardOutput);
        var id = doc.RootElement.GetProperty("shortId").GetString()!;

        var first = StartWorker("first");
        await _cli.WaitForStateAsync(id, s => s is "deploying", TimeSpan.FromSeconds(60));
        first.Kill(entireProcessTree: true);
        var killedAt = DateTimeOffset.UtcNow;
        StartWorker("second");
        var finished = await _cli.WaitForStateAsync(id, s => s is "succeeded" or "failed" or "rolled_back" or "cancelled", TimeSpan.FromSeconds(120));

        Assert.Equal("succeeded", finished.GetProperty("state").GetString());
        var details = finished.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("detail").GetString()!).ToList();
        // Killed while its health checks ran (eight, a second apart): the second worker runs the job again from the start.
        var takeover = Assert.Single(
            finished.GetProperty("events").EnumerateArray(),
            e => e.GetProperty("detail").GetString()!.StartsWith("taken over by second", StringComparison.Ordinal));
        Assert.Contains("its previous worker stopped during", takeover.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The visibility timeout (4s) counts from the job's last touch (every third of it, so up to 1.3s before the
        // kill), then the second worker's start and one poll: not taken over early, and not much later.
        var after = takeover.GetProperty("at").GetDateTimeOffset() - killedAt;
        Assert.InRange(after, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(12));
        Assert.Contains(details, d => d.Contains("(first)", StringComparison.Ordinal));
        Assert.Contains(details, d => d.Contains("(second)", StringComparison.Ordinal));
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    private Process StartWorker(string name) => _cli.StartWorker("production", name);

    private Task<CommandResult> CliAsync(params string[] args) => _cli.RunAsync(args);
}
