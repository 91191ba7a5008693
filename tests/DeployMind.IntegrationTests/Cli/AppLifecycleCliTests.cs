using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>`deploymind apps` and `deploymind app logs|stop|start|restart|remove` on a deployed app (real build, engine, nginx).</summary>
public sealed class AppLifecycleCliTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _folder = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();

    private string AppName { get; } = "dmit-life-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var names = await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.RemoveContainerAsync($"{AppName}-other");
        await Docker.RunAsync("volume", "rm", "--force", $"{AppName}-data", $"{AppName}-shared");
        await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _folder.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    public async Task AppsLogsStopStartRemove_OnADeployedApp()
    {
        // Volumes: its own, one another container shares, and a host folder.
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                target:
                  docker:
                    port: {{_port}}
                    container: { volumes: ["{{AppName}}-data:/data", "{{AppName}}-shared:/shared", "{{_folder.Path}}:/host:ro"] }
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 30s }
            """);
        using var client = new HttpClient();
        var (deployed, deployOutput) = await RunAsync("deploy", _app.Path);
        Assert.True(deployed == ExitCodes.Success, deployOutput);

        // apps: the live release, where, and that it runs.
        var (_, appsJson) = await RunAsync("apps", "--output", "json");
        using (var apps = JsonDocument.Parse(appsJson))
        {
            var mine = Assert.Single(apps.RootElement.EnumerateArray(), a => a.GetProperty("app").GetString() == AppName);
            Assert.Equal("production", mine.GetProperty("environment").GetString());
            Assert.Equal($"http://127.0.0.1:{_port}/", mine.GetProperty("url").GetString());
            Assert.StartsWith("running on 1/1", mine.GetProperty("health").GetString(), StringComparison.Ordinal);
        }

        // app logs: each line tagged with its host and container.
        await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
        var (logs, logsOutput) = await RunAsync("app", "logs", _app.Path, "--lines", "50");
        Assert.True(logs == ExitCodes.Success, logsOutput);
        Assert.Contains($"local {AppName}-", logsOutput, StringComparison.Ordinal);
        Assert.Contains(" | ", logsOutput, StringComparison.Ordinal);

        // app exec: a command in the live container, its output and exit code.
        var (exec, execOutput) = await RunAsync("app", "exec", _app.Path, "--", "sh", "-c", "echo port=$PORT; exit 3");
        Assert.Equal(3, exec);
        Assert.Contains("port=", execOutput, StringComparison.Ordinal);

        // app stop: nothing runs, apps says so; app start: it answers again.
        var (stopped, stopOutput) = await RunAsync("app", "stop", _app.Path, "--grace", "2s");
        Assert.True(stopped == ExitCodes.Success, stopOutput);
        Assert.Contains("local: stopped", stopOutput, StringComparison.Ordinal);
        var running = await Docker.RunAsync("ps", "-q", "--filter", $"label=io.deploymind.app={AppName}");
        Assert.Equal(string.Empty, running.StandardOutput.Trim());
        var (_, downJson) = await RunAsync("apps", "--output", "json");
        Assert.Contains("down on 1 of 1", downJson, StringComparison.Ordinal);

        var (started, startOutput) = await RunAsync("app", "start", _app.Path);
        Assert.True(started == ExitCodes.Success, startOutput);
        Assert.Contains("python-stdlib-example", await GetWhenUpAsync(client), StringComparison.Ordinal);

        // app remove: refused without --yes when nobody can answer (naming the volumes --volumes deletes); with it, nothing
        // is left, and it is recorded.
        var (refused, refusedOutput) = await RunAsync("app", "remove", _app.Path, "--volumes");
        Assert.Equal(ExitCodes.InvalidInput, refused);
        Assert.Contains("--yes", refusedOutput, StringComparison.Ordinal);
        Assert.Contains($"And its named volumes, with their data: {AppName}-data, {AppName}-shared. Host folders stay: {_folder.Path}.", refusedOutput, StringComparison.Ordinal);

        var other = await Docker.RunAsync("run", "--detach", "--name", $"{AppName}-other", "--network", "host", "--volume", $"{AppName}-shared:/shared", "deploymind-base/debian:bookworm", "sleep", "600");
        Assert.True(other.Succeeded, other.StandardError);
        var (removed, removeJson) = await RunAsync("app", "remove", _app.Path, "--yes", "--volumes", "--output", "json");
        Assert.True(removed == ExitCodes.Success, removeJson);
        using (var removal = JsonDocument.Parse(removeJson))
        {
            Assert.Equal("succeeded", removal.RootElement.GetProperty("state").GetString());
        }

        var left = await Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}");
        Assert.Equal(string.Empty, left.StandardOutput.Trim());
        Assert.DoesNotContain(Directory.EnumerateFiles(_prefix.Path, $"*{AppName}*", SearchOption.AllDirectories), f => f.EndsWith(".conf", StringComparison.Ordinal));
        Assert.Contains("removed: no container or nginx site of it is left", removeJson, StringComparison.Ordinal);

        // --volumes: its own volume is gone; the shared one and the host folder stay, and the record says so.
        Assert.NotEqual(0, (await Docker.RunAsync("volume", "inspect", $"{AppName}-data")).ExitCode);
        Assert.Equal(0, (await Docker.RunAsync("volume", "inspect", $"{AppName}-shared")).ExitCode);
        Assert.True(Directory.Exists(_folder.Path));
        Assert.Contains($"local: {AppName}-data removed; {AppName}-shared kept: still used by {AppName}-other; {_folder.Path} kept: a host folder (bind mount) is never removed", removeJson, StringComparison.Ordinal);
        var (_, afterJson) = await RunAsync("apps", "--output", "json");
        Assert.DoesNotContain(AppName, afterJson, StringComparison.Ordinal);
    }

    private async Task<string> GetWhenUpAsync(HttpClient client)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/"));
            }
            catch (HttpRequestException) when (attempt < 40)
            {
                await Task.Delay(250);
            }
        }
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db"),
        };
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }
}
