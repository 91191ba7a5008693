using System.Diagnostics;
using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>
/// `deploymind rollback` of the examples on this machine, timed: a guard against the old container's stop waiting the
/// whole stop timeout (10 s) because the app, PID 1 in its container, never saw SIGTERM. The apps here have their SIGTERM
/// handler taken out, as most apps have none; the init process DeployMind runs them under must pass SIGTERM on.
/// The speed target itself (under 5 s) is measured by bench/rollback/run.sh; this bound only catches the 10 s wait.
/// </summary>
public sealed class RollbackSpeedTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(8);
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _work = new();
    private readonly string _app = "dmit-rb-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = Docker.FreePort();
    private readonly ITestOutputHelper _output;

    public RollbackSpeedTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var ids = await Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={_app}");
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", _app);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _work.Dispose();
        _prefix.Dispose();
    }

    [Theory]
    [InlineData("node-express", "server.js", "// second release")]
    [InlineData("python-stdlib", "app.py", "# second release")]
    public async Task Rollback_ExampleThatIgnoresSigterm_TakesUnderEightSeconds(string example, string entry, string comment)
    {
        // The folder is named after the app: its images are <app>:<content hash>.
        var folder = Path.Combine(_work.Path, _app);
        CopyExample(example, folder);
        var source = Path.Combine(folder, entry);
        File.WriteAllLines(source, File.ReadAllLines(source).Where(l => !l.Contains("SIGTERM", StringComparison.Ordinal)));
        File.WriteAllText(Path.Combine(folder, "deploymind.yml"), $$"""
            app: {{_app}}
            environments:
              production:
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 3, deadline: 60s }
                target: { docker: { port: {{_port}} } }
            """);
        var (first, firstJson) = await RunAsync("deploy", folder, "--output", "json");
        Assert.True(first == ExitCodes.Success, firstJson);
        File.AppendAllText(source, "\n" + comment + "\n");
        var (second, secondJson) = await RunAsync("deploy", folder, "--output", "json");
        Assert.True(second == ExitCodes.Success, secondJson);

        var clock = Stopwatch.StartNew();
        var (back, backJson) = await RunAsync("rollback", folder, "--env", "production", "--output", "json");
        clock.Stop();

        _output.WriteLine($"{example}: rollback took {clock.Elapsed.TotalSeconds:0.00} s");
        Assert.True(back == ExitCodes.Success, backJson);
        using var rollback = JsonDocument.Parse(backJson);
        Assert.Equal("succeeded", rollback.RootElement.GetProperty("outcome").GetProperty("status").GetString());
        using var one = JsonDocument.Parse(firstJson);
        Assert.Equal(one.RootElement.GetProperty("releaseId").GetString(), rollback.RootElement.GetProperty("release").GetString());
        Assert.True(clock.Elapsed < Bound, $"the rollback took {clock.Elapsed.TotalSeconds:0.0} s (bound {Bound.TotalSeconds} s): the old release's stop waited for SIGTERM to be ignored");
        using var client = new HttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri($"http://127.0.0.1:{_port}/"))).StatusCode);
    }

    private static void CopyExample(string example, string target)
    {
        var source = Repo.Example(example);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Contains("node_modules"))
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
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
