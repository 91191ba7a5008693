using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// `deploymind rollback ID` of examples/go-env (a clear value and a secret from an env file outside the repository) on
/// this machine's engine and nginx, when the kept container of the release to go back to was removed and only its image
/// is left: the rollback runs the image in a new container with the app's variables and container settings, resolved as
/// a deploy resolves them; with the secret's source gone it refuses before anything changes and the release that serves
/// keeps serving.
/// </summary>
public sealed class RollbackEnvTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _secrets = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-env"));
    private readonly int _port = Docker.FreePort();
    private readonly string _apiKey = "k-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private string AppName { get; } = "dmit-rbenv-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var ids = await Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}");
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        var envFolder = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind", "env");
        foreach (var file in Directory.Exists(envFolder) ? Directory.GetFiles(envFolder, AppName + "-*") : [])
        {
            File.Delete(file);
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _prefix.Dispose();
        _secrets.Dispose();
    }

    [Fact]
    public async Task Rollback_KeptContainerRemoved_RefusesWithoutItsSecretThenRunsANewContainerWithTheAppsVariablesAndSettings()
    {
        var envFile = Path.Combine(_secrets.Path, "go-env.env");
        File.WriteAllText(envFile, $"API_KEY={_apiKey}\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            env:
              clear: { MODE: rollback-test, CHECK_ENV: "API_KEY,MODE" }
              secret: [ API_KEY ]
            secrets:
              sources:
                - envFile: {{envFile}}
            environments:
              production:
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 60s }
                target:
                  docker:
                    port: {{_port}}
                    container: { stopTimeout: 3s, memory: 256m }
            """);
        var (code, output) = await RunAsync("deploy", _app.Path, "--output", "json");
        Assert.True(code == ExitCodes.Success, output);
        var firstRelease = JsonDocument.Parse(output).RootElement.GetProperty("releaseId").GetString()!;
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");
        (code, output) = await RunAsync("deploy", _app.Path, "--output", "json");
        Assert.True(code == ExitCodes.Success, output);
        var second = JsonDocument.Parse(output).RootElement.GetProperty("id").GetString()!;
        var serving = await ContainersAsync("--filter", "status=running");

        // The first release's kept (stopped) container goes; its image stays.
        var kept = $"{AppName}-{firstRelease}";
        await Docker.RunAsync("rm", "--force", kept);

        // Its secret's source is gone too: the rollback refuses, naming the secret and where it looked, before any change.
        File.Move(envFile, envFile + ".away");
        (code, output) = await RunAsync("rollback", second, "--path", _app.Path);
        var oneLine = output.Replace("\n", string.Empty, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.Success, code);
        Assert.Contains($"API_KEY: looked in env file {envFile} (no such file)", oneLine, StringComparison.Ordinal);
        Assert.Contains("its kept container is gone", oneLine, StringComparison.Ordinal);
        Assert.Equal(serving, await ContainersAsync("--filter", "status=running"));
        Assert.Equal(string.Empty, (await Docker.RunAsync("ps", "-aq", "--filter", $"name=^{kept}$")).StandardOutput.Trim());
        Assert.Equal("rollback-test", await ModeAsync()); // the second release still answers through nginx

        // With the source back, the rollback runs the image in a new container with the app's variables and settings.
        File.Move(envFile + ".away", envFile);
        (code, output) = await RunAsync("rollback", second, "--path", _app.Path, "--output", "json");
        Assert.True(code == ExitCodes.Success, output);
        Assert.Equal("succeeded", JsonDocument.Parse(output).RootElement.GetProperty("state").GetString());
        Assert.Equal([kept], await ContainersAsync("--filter", "status=running"));
        using var answer = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{_port}/env")));
        Assert.Equal(Sha256(_apiKey), answer.RootElement.GetProperty("API_KEY").GetProperty("sha256").GetString());
        Assert.Equal(Sha256("rollback-test"), answer.RootElement.GetProperty("MODE").GetProperty("sha256").GetString());
        var settings = (await Docker.RunAsync("inspect", "--format", "{{.HostConfig.Init}} {{.Config.StopTimeout}} {{.HostConfig.Memory}}", kept)).StandardOutput.Trim();
        Assert.Equal($"true 3 {256L << 20}", settings);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<string> ModeAsync()
    {
        using var root = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")));
        return root.RootElement.GetProperty("mode").GetString()!;
    }

    private async Task<List<string>> ContainersAsync(params string[] filters)
    {
        var listed = await Docker.RunAsync(["ps", "--filter", $"label=io.deploymind.app={AppName}", .. filters, "--format", "{{.Names}}"]);
        return [.. listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)];
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?> { ["nginx:prefix"] = _prefix.Path, ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db") };
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }
}
