using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>
/// Process types on the real engine and nginx, through the CLI: web replicas balanced by nginx, a Procfile worker started
/// with each release, and a worker that crashes failing the deploy while the previous release (and its worker) serve on.
/// </summary>
public sealed class ProcessesCliTests : IAsyncLifetime, IDisposable
{
    private const string Worker = """
        import os, signal, sys, time

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print("worker started", flush=True)
        if os.path.exists("crash.flag"):
            time.sleep(0.5)
            print("boom: cannot reach the queue", flush=True)
            sys.exit(1)
        while True:
            print("worker heartbeat", flush=True)
            time.sleep(1)
        """;

    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string AppName => "dmit-proc-" + _id;

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_app.Path, "worker.py"), Worker);
        File.WriteAllText(Path.Combine(_app.Path, "Procfile"), "web: python app.py\nworker: python worker.py\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            processes:
              web: { replicas: 2 }
              worker: { stayUp: 3s }
            environments:
              production:
                target: { docker: { port: {{_port}}, drain: 0s } }
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 30s }
            """);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        var names = await Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}");
        foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

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
        _prefix.Dispose();
    }

    [Fact]
    public async Task Deploy_WebReplicasAndAProcfileWorker_NginxBalancesTheReplicasAndTheWorkerRuns()
    {
        var (deployed, output) = await RunAsync("deploy", _app.Path);
        Assert.True(deployed == ExitCodes.Success, output);

        var web = await ContainersAsync("web");
        var worker = Assert.Single(await ContainersAsync("worker"));
        Assert.Equal(2, web.Count);
        using var client = new HttpClient();
        for (var i = 0; i < 20; i++)
        {
            Assert.Contains("python-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        }

        // Each replica answered some of the requests nginx sent (it logs every request it serves).
        foreach (var replica in web)
        {
            var logs = await Docker.RunAsync("logs", replica);
            Assert.True(logs.StandardOutput.Contains("\"GET / HTTP/1.1\" 200", StringComparison.Ordinal), $"{replica} served nothing:\n{logs.StandardOutput}");
        }

        var workerLogs = (await Docker.RunAsync("logs", worker)).StandardOutput;
        Assert.Contains("worker started", workerLogs, StringComparison.Ordinal);

        // app logs --process worker: the worker's lines only, tagged with its host and container.
        var (logged, logOutput) = await RunAsync("app", "logs", _app.Path, "--process", "worker", "--lines", "5");
        Assert.True(logged == ExitCodes.Success, logOutput);
        Assert.Contains($"local {worker} | worker", logOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("GET /", logOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_WorkerThatCrashes_FailsWithItsOutputAndThePreviousReleaseAndWorkerServeOn()
    {
        var (first, firstOutput) = await RunAsync("deploy", _app.Path);
        Assert.True(first == ExitCodes.Success, firstOutput);
        var servingWeb = await ContainersAsync("web");
        var servingWorker = Assert.Single(await ContainersAsync("worker"));

        File.WriteAllText(Path.Combine(_app.Path, "crash.flag"), "1");
        File.AppendAllText(Path.Combine(_app.Path, "app.py"), "\n# the second release\n");
        var (second, secondOutput) = await RunAsync("deploy", _app.Path);

        Assert.NotEqual(ExitCodes.Success, second);
        Assert.Contains("The worker process did not stay up for 3s", secondOutput, StringComparison.Ordinal);
        Assert.Contains("boom: cannot reach the queue", secondOutput, StringComparison.Ordinal);
        Assert.Equal(servingWeb, await ContainersAsync("web"));
        Assert.Equal([servingWorker], await ContainersAsync("worker"));
        using var client = new HttpClient();
        Assert.Contains("python-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        var all = await Docker.RunAsync("ps", "-a", "--format", "{{.Names}}", "--filter", $"label=io.deploymind.app={AppName}");
        Assert.Equal(3, all.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // the failed release left nothing
    }

    /// <summary>The running containers of a process, by name, in order.</summary>
    private async Task<List<string>> ContainersAsync(string process)
    {
        var result = await Docker.RunAsync("ps", "--format", "{{json .}}", "--filter", $"label=io.deploymind.app={AppName}", "--filter", $"label=io.deploymind.process={process}");
        return [.. result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("Names").GetString()!)
            .Order(StringComparer.Ordinal)];
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
