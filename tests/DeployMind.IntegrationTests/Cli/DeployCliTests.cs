using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>`deploymind deploy` and `deploymind rollback` end to end, as a user runs them (real build, engine, nginx).</summary>
public sealed class DeployCliTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly int _port = Docker.FreePort();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        var names = await Support.Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RunAsync("rm", "--force", id);
        }

        await Support.Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);

        // The images the deploys built: <folder>:<content hash>.
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Support.Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RemoveImageAsync(image);
        }
        _app.Dispose();
        _prefix.Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _prefix.Dispose();
    }

    private string AppName { get; } = "dmit-cli-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task DeployTwiceThenRollback_AnswersOnThePortAndGoesBack()
    {
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                strategy: canary
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 3, deadline: 30s }
                canary: { steps: [10, 100], stepDuration: 2s, onInsufficientData: pass }
            """);

        var (first, firstJson) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");
        var (second, secondJson) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");

        Assert.Equal(ExitCodes.Success, first);
        Assert.Equal(ExitCodes.Success, second);
        using var one = JsonDocument.Parse(firstJson);
        using var two = JsonDocument.Parse(secondJson);
        Assert.Equal("succeeded", two.RootElement.GetProperty("outcome").GetProperty("status").GetString());
        Assert.Equal(100, two.RootElement.GetProperty("outcome").GetProperty("canaryPercentReached").GetInt32());
        Assert.Equal($"http://127.0.0.1:{_port}/", two.RootElement.GetProperty("url").GetString());
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        var (back, backJson) = await RunAsync("rollback", _app.Path, "--port", $"{_port}", "--output", "json");

        Assert.Equal(ExitCodes.Success, back);
        using var rollback = JsonDocument.Parse(backJson);
        Assert.Equal(one.RootElement.GetProperty("release").GetString(), rollback.RootElement.GetProperty("release").GetString());
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_RepositoryWithCommittedAwsKey_IsHaltedAtScanBuildsNothingAndNeverPrintsTheKey()
    {
        // Built at run time so this file holds no key; the shape is AWS's (AKIA + 16), the value random.
        var key = "AKIA" + string.Concat(Enumerable.Range(0, 16).Select(i => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[Random.Shared.Next(32)]));
        var secret = string.Concat(Enumerable.Range(0, 40).Select(_ => "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"[Random.Shared.Next(64)]));
        File.WriteAllText(Path.Combine(_app.Path, "settings.env"), $"AWS_ACCESS_KEY_ID={key}\naws_secret_access_key = {secret}\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {AppName}\n");

        var (code, output) = await RunAsync("deploy", _app.Path, "--port", $"{_port}");
        var (jsonCode, json) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");

        Assert.Equal(ExitCodes.ScanBlocked, code);
        Assert.Equal(ExitCodes.ScanBlocked, jsonCode);
        Assert.Contains("Blocked by the security scan", output, StringComparison.Ordinal);
        Assert.Contains("settings.env", output, StringComparison.Ordinal);
        Assert.Contains("DMS001", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("failed", doc.RootElement.GetProperty("state").GetString());
        Assert.Equal("scan", doc.RootElement.GetProperty("failedStage").GetString());
        foreach (var text in new[] { output, json })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        Assert.Equal(string.Empty, (await Support.Docker.RunAsync("images", "--quiet", repository)).StandardOutput.Trim());
    }

    [Fact]
    public async Task Deploy_FromLocalBareRepositoryAtACommit_DeploysExactlyThatCommit()
    {
        using var bare = new TempFolder();
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {AppName}\nenvironments:\n  production:\n    healthCheck: {{ path: /health, interval: 250ms, successes: 2, deadline: 30s }}\n");
        await GitAsync(bare.Path, "init", "--quiet", "--bare");
        await GitAsync(_app.Path, "init", "--quiet", "--initial-branch", "main");
        await GitAsync(_app.Path, "add", ".");
        await GitAsync(_app.Path, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-m", "first");
        var first = (await GitAsync(_app.Path, "rev-parse", "HEAD")).Trim();
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second commit\n");
        await GitAsync(_app.Path, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "--quiet", "-am", "second");
        await GitAsync(_app.Path, "push", "--quiet", bare.Path, "main");

        var (code, json) = await RunAsync("deploy", ".", "--repo", bare.Path, "--ref", first, "--port", $"{_port}", "--output", "json");

        Assert.True(code == ExitCodes.Success, json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(first, doc.RootElement.GetProperty("commit").GetString());
        Assert.Equal($"{AppName}:{first[..12]}", doc.RootElement.GetProperty("imageTag").GetString());
        var labels = await Support.Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Label \"io.deploymind.commit\"}}");
        Assert.Equal(first, labels.StandardOutput.Trim());
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        await Support.Docker.RemoveImageAsync($"{AppName}:{first[..12]}");
    }

    private static async Task<string> GitAsync(string folder, params string[] args)
    {
        var result = await Support.Docker.Runner.RunAsync(new Infrastructure.Processes.CommandSpec("git", ["-C", folder, .. args]), null, CancellationToken.None);
        Assert.True(result.Succeeded, result.StandardError);
        return result.StandardOutput;
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var hosts = new CliHostFactory(new Dictionary<string, string?> { ["nginx:prefix"] = _prefix.Path }, Repo.LocalBaseImagesConfig, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
