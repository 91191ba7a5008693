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
        Assert.Equal(100, two.RootElement.GetProperty("canaryPercentReached").GetInt32());
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        var secondId = two.RootElement.GetProperty("shortId").GetString()!;
        var (back, backJson) = await RunAsync("rollback", secondId, "--path", _app.Path, "--output", "json");

        Assert.True(back == ExitCodes.Success, backJson);
        using var rollback = JsonDocument.Parse(backJson);
        Assert.Equal("succeeded", rollback.RootElement.GetProperty("state").GetString());
        Assert.Equal(one.RootElement.GetProperty("releaseId").GetString(), rollback.RootElement.GetProperty("releaseId").GetString());
        Assert.Equal(two.RootElement.GetProperty("id").GetString(), rollback.RootElement.GetProperty("rollbackOf").GetString());
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        var serving = await Support.Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Label \"io.deploymind.release\"}}");
        Assert.Equal(one.RootElement.GetProperty("releaseId").GetString(), serving.StandardOutput.Trim());

        // The rolled-back deployment says so in its timeline; the rollback is in the list, newest first.
        var (_, statusJson) = await RunAsync("status", secondId, "--output", "json");
        using var status = JsonDocument.Parse(statusJson);
        Assert.Contains(
            status.RootElement.GetProperty("deployment").GetProperty("events").EnumerateArray(),
            e => e.GetProperty("detail").GetString()!.StartsWith("rolled back by deployment " + rollback.RootElement.GetProperty("shortId").GetString(), StringComparison.Ordinal));
        var (_, listJson) = await RunAsync("list", "--app", AppName, "--output", "json");
        using var list = JsonDocument.Parse(listJson);
        Assert.Equal(
            [rollback.RootElement.GetProperty("id").GetString(), two.RootElement.GetProperty("id").GetString(), one.RootElement.GetProperty("id").GetString()],
            list.RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Deploy_WithoutPort_StaysOnThePortTheAppIsServedOn_AnotherIsRefusedUnlessRelocate()
    {
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 30s }
            """);
        var other = Docker.FreePort();
        using var client = new HttpClient();

        var (first, firstOutput) = await RunAsync("deploy", _app.Path, "--port", $"{_port}");
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");

        // Before, leaving out --port moved the app to 8080.
        var (second, secondJson) = await RunAsync("deploy", _app.Path, "--output", "json");
        var (refused, refusedOutput) = await RunAsync("deploy", _app.Path, "--port", $"{other}");

        Assert.True(first == ExitCodes.Success, firstOutput);
        Assert.True(second == ExitCodes.Success, secondJson);
        using (var json = JsonDocument.Parse(secondJson))
        {
            Assert.Equal($"http://127.0.0.1:{_port}/", json.RootElement.GetProperty("url").GetString());
        }

        Assert.Equal(ExitCodes.InvalidInput, refused);
        Assert.Contains($"is served on port {_port}", refusedOutput.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        var (moved, movedJson) = await RunAsync("deploy", _app.Path, "--port", $"{other}", "--relocate", "--output", "json");

        Assert.True(moved == ExitCodes.Success, movedJson);
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{other}/")), StringComparison.Ordinal);
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

        // Recorded: failed at scan with its findings (redacted), and the key is nowhere in the records or their log.
        var id = doc.RootElement.GetProperty("shortId").GetString()!;
        var (statusCode, status) = await RunAsync("status", id);
        var (_, statusJson) = await RunAsync("status", id, "--output", "json");
        var (_, logs) = await RunAsync("logs", id);
        var (_, list) = await RunAsync("list", "--app", AppName);
        Assert.Equal(ExitCodes.ScanBlocked, statusCode);
        Assert.Contains("failed at scan", status, StringComparison.Ordinal);
        Assert.Contains("DMS001", status, StringComparison.Ordinal);
        Assert.Contains(id, list, StringComparison.Ordinal);
        Assert.Contains("blocking finding", logs, StringComparison.Ordinal);
        using var recorded = JsonDocument.Parse(statusJson);
        Assert.Contains(recorded.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "DMS001" && f.GetProperty("blocking").GetBoolean());
        foreach (var text in new[] { status, statusJson, logs, list })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        // The database file and its write-ahead log, byte for byte.
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(DatabasePath)!, Path.GetFileName(DatabasePath) + "*"))
        {
            var bytes = System.Text.Encoding.Latin1.GetString(await ReadSharedAsync(file));
            Assert.DoesNotContain(key, bytes, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, bytes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Deploy_ThatFailsVerificationThroughNginx_EndsRolledBackWithThePreviousReleaseServing()
    {
        var config = $"app: {AppName}\nenvironments:\n  production:\n    healthCheck: {{ path: /health, interval: 250ms, successes: 2, deadline: 30s }}\n";
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), config);
        var (first, firstJson) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");
        Assert.True(first == ExitCodes.Success, firstJson);

        // The next release passes its own health checks, but the path verify asks through nginx does not exist.
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), config + "    verify: { path: /missing, interval: 250ms, deadline: 3s }\n");
        var (second, secondJson) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");

        Assert.Equal(ExitCodes.DeployFailed, second);
        using var one = JsonDocument.Parse(firstJson);
        using var two = JsonDocument.Parse(secondJson);
        Assert.Equal("rolled_back", two.RootElement.GetProperty("state").GetString());
        Assert.Contains("status 404", two.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var serving = await Support.Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Label \"io.deploymind.release\"}}");
        Assert.Equal(one.RootElement.GetProperty("releaseId").GetString(), serving.StandardOutput.Trim());
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ImageWithACriticalVulnerability_IsHaltedAfterTheBuild_RecordedAndNothingDeployed()
    {
        // Trivy cannot run here (no vulnerability database offline): a stand-in prints a real-shaped report.
        using var trivy = Security.FakeTrivy.Printing("""
            {
              "SchemaVersion": 2,
              "ArtifactName": "app",
              "ArtifactType": "container_image",
              "Results": [
                {
                  "Target": "app (debian 12.5)",
                  "Class": "os-pkgs",
                  "Type": "debian",
                  "Vulnerabilities": [
                    { "VulnerabilityID": "CVE-2026-11111", "PkgName": "openssl", "InstalledVersion": "3.0.11-1~deb12u2", "FixedVersion": "3.0.13-1~deb12u1", "Severity": "CRITICAL", "Title": "openssl: remote code execution" },
                    { "VulnerabilityID": "CVE-2026-22222", "PkgName": "zlib1g", "InstalledVersion": "1:1.2.13", "Severity": "LOW", "Title": "zlib: minor" }
                  ]
                }
              ]
            }
            """);
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {AppName}\n");

        var (code, output) = await RunAsync(new Dictionary<string, string?> { ["security:trivy:path"] = trivy.Path }, "deploy", _app.Path, "--port", $"{_port}");

        Assert.Equal(ExitCodes.BuildFailed, code);
        Assert.Contains("CVE-2026-11111", output, StringComparison.Ordinal);
        Assert.Contains("--allow-findings", output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await Support.Docker.RunAsync("ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}")).StandardOutput.Trim());
        var (_, listJson) = await RunAsync("list", "--app", AppName, "--output", "json");
        using var list = JsonDocument.Parse(listJson);
        var id = Assert.Single(list.RootElement.EnumerateArray()).GetProperty("id").GetString()!;
        var (_, statusJson) = await RunAsync("status", id, "--output", "json");
        using var status = JsonDocument.Parse(statusJson);
        Assert.Equal("build", status.RootElement.GetProperty("deployment").GetProperty("failedStage").GetString());
        var findings = status.RootElement.GetProperty("findings").EnumerateArray().ToList();
        Assert.Contains(findings, f => f.GetProperty("source").GetString() == "image" && f.GetProperty("ruleId").GetString() == "CVE-2026-11111" && f.GetProperty("blocking").GetBoolean());
        Assert.Contains(findings, f => f.GetProperty("ruleId").GetString() == "CVE-2026-22222" && !f.GetProperty("blocking").GetBoolean());
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

        // Recorded: in the list for its repository, with its status and log.
        var id = doc.RootElement.GetProperty("shortId").GetString()!;
        var (_, listJson) = await RunAsync("list", "--repository", bare.Path, "--environment", "production", "--output", "json");
        using var list = JsonDocument.Parse(listJson);
        var entry = Assert.Single(list.RootElement.EnumerateArray());
        Assert.Equal(id, entry.GetProperty("shortId").GetString());
        Assert.Equal("succeeded", entry.GetProperty("state").GetString());
        Assert.Equal(first, entry.GetProperty("commit").GetString());
        Assert.Equal(
            ["scanning", "building", "deploying", "verifying", "succeeded"],
            entry.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("from").GetString() != e.GetProperty("to").GetString()).Select(e => e.GetProperty("to").GetString()));
        var (statusCode, status) = await RunAsync("status", id);
        Assert.Equal(ExitCodes.Success, statusCode);
        Assert.Contains(first[..12], status, StringComparison.Ordinal);
        Assert.Contains("succeeded", status, StringComparison.Ordinal);
        var (_, logs) = await RunAsync("logs", id, "--follow");
        Assert.Contains("build", logs, StringComparison.Ordinal);
        Assert.Contains("health", logs, StringComparison.Ordinal);
        Assert.Contains("✅ succeeded", logs, StringComparison.Ordinal);
        var (_, none) = await RunAsync("list", "--repository", "acme/other");
        Assert.Contains("No deployments recorded", none, StringComparison.Ordinal);
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

    private string DatabasePath => Path.Combine(_prefix.Path, "records", "deploymind.db");

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private Task<(int Code, string Output)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string?>(), args);

    private async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var console = new TestConsole().Width(400);
        settings["nginx:prefix"] = _prefix.Path;
        settings["database:path"] = DatabasePath;
        var hosts = new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
