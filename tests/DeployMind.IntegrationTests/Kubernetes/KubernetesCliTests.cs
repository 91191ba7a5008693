using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>
/// `deploymind deploy --env staging` and `deploymind rollback ID` to a Kubernetes target (the loopback API server), as a
/// user runs them: the real pipeline (scan, build with the engine, deploy, verify), the same records as for hosts.
/// </summary>
public sealed class KubernetesCliTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-stdlib"));
    private FakeKubernetesApiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeKubernetesApiServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Support.Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Support.Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task DeployTwiceThenRollback_RecordsTheClusterTargetAndPutsTheFirstReleaseBack()
    {
        var kubeconfig = _server.WriteKubeconfig(_home.Path);
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: shop
            environments:
              staging:
                strategy: rolling
                healthCheck: { path: /health, interval: 20ms, timeout: 2s, successes: 1, deadline: 30s }
                target:
                  kubernetes: { kubeconfig: "{{kubeconfig}}", context: test, namespace: shop, replicas: 2, rolloutDeadline: 30s }
            """);

        var (first, firstJson) = await RunAsync("deploy", _app.Path, "--env", "staging", "--output", "json");
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");
        var (second, secondJson) = await RunAsync("deploy", _app.Path, "--env", "staging", "--output", "json");

        Assert.True(first == ExitCodes.Success, firstJson);
        Assert.True(second == ExitCodes.Success, secondJson);
        using var one = JsonDocument.Parse(firstJson);
        using var two = JsonDocument.Parse(secondJson);
        Assert.Equal("succeeded", two.RootElement.GetProperty("state").GetString());
        Assert.Equal("k8s test/shop", two.RootElement.GetProperty("target").GetString());
        Assert.Equal(2, two.RootElement.GetProperty("healthChecksPassed").GetInt32());
        var secondImage = two.RootElement.GetProperty("imageTag").GetString();
        Assert.Equal(secondImage, Image(_server.Get("deployments", "shop")!));

        var (back, backJson) = await RunAsync("rollback", two.RootElement.GetProperty("shortId").GetString()!, "--path", _app.Path, "--output", "json");

        Assert.True(back == ExitCodes.Success, backJson);
        using var rollback = JsonDocument.Parse(backJson);
        Assert.Equal("succeeded", rollback.RootElement.GetProperty("state").GetString());
        Assert.Equal(one.RootElement.GetProperty("releaseId").GetString(), rollback.RootElement.GetProperty("releaseId").GetString());
        Assert.Equal("k8s test/shop", rollback.RootElement.GetProperty("target").GetString());
        Assert.Equal(one.RootElement.GetProperty("imageTag").GetString(), Image(_server.Get("deployments", "shop")!));
        Assert.Equal([one.RootElement.GetProperty("imageTag").GetString()!, one.RootElement.GetProperty("imageTag").GetString()!], _server.PodImages("shop"));

        // The verify stage knows the cluster has no nginx of ours: it says why it did not request the app.
        var (_, logs) = await RunAsync("logs", two.RootElement.GetProperty("shortId").GetString()!);
        Assert.Contains("skipped for the Kubernetes target test/shop", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeployWithEnvSecretThenRollback_EachReleaseReadsItsOwnSecret_AndNoValueIsInOutputLogsOrRecords()
    {
        const string First = "pa55word-first-release";
        const string Second = "pa55word-second-release";
        var kubeconfig = _server.WriteKubeconfig(_home.Path);
        var envFile = Path.Combine(_home.Path, "shop.env");
        File.WriteAllText(envFile, $"DATABASE_URL=postgres://shop:{First}@db/shop\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: shop
            env:
              clear: { REGION: eu }
              secret: [ DATABASE_URL ]
            secrets:
              sources: [ { envFile: "{{envFile}}" } ]
            environments:
              staging:
                strategy: rolling
                healthCheck: { path: /health, interval: 20ms, timeout: 2s, successes: 1, deadline: 30s }
                target:
                  kubernetes: { kubeconfig: "{{kubeconfig}}", context: test, namespace: shop, replicas: 2, rolloutDeadline: 30s }
            """);

        var (first, firstJson) = await RunAsync("deploy", _app.Path, "--env", "staging", "--output", "json");
        File.WriteAllText(envFile, $"DATABASE_URL=postgres://shop:{Second}@db/shop\n");
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");
        var (second, secondJson) = await RunAsync("deploy", _app.Path, "--env", "staging", "--output", "json");

        Assert.True(first == ExitCodes.Success, firstJson);
        Assert.True(second == ExitCodes.Success, secondJson);
        using var one = JsonDocument.Parse(firstJson);
        using var two = JsonDocument.Parse(secondJson);
        var firstSecret = Application.Deploy.Kubernetes.KubernetesNames.ReleaseSecret("shop", one.RootElement.GetProperty("releaseId").GetString()!);
        var secondSecret = Application.Deploy.Kubernetes.KubernetesNames.ReleaseSecret("shop", two.RootElement.GetProperty("releaseId").GetString()!);
        Assert.Equal([firstSecret, secondSecret], _server.Names("secrets")); // release ids sort by time
        Assert.Equal($"postgres://shop:{Second}@db/shop", _server.SecretData(secondSecret)["DATABASE_URL"]);
        Assert.Equal(["configMap shop-env", $"secret {secondSecret}"], EnvFrom(_server.Get("deployments", "shop")!));
        Assert.Equal("eu", _server.Get("configmaps", "shop-env")!["data"]!["REGION"]!.GetValue<string>());

        var (back, backJson) = await RunAsync("rollback", two.RootElement.GetProperty("shortId").GetString()!, "--path", _app.Path, "--output", "json");

        Assert.True(back == ExitCodes.Success, backJson);
        Assert.Equal(["configMap shop-env", $"secret {firstSecret}"], EnvFrom(_server.Get("deployments", "shop")!));
        Assert.Equal($"postgres://shop:{First}@db/shop", _server.SecretData(firstSecret)["DATABASE_URL"]);

        // Only names: not in what the CLI printed, the deployments' logs, or the records' files.
        var (_, logs1) = await RunAsync("logs", one.RootElement.GetProperty("shortId").GetString()!);
        var (_, logs2) = await RunAsync("logs", two.RootElement.GetProperty("shortId").GetString()!);
        Assert.Contains($"creating the Secret {secondSecret}", logs2, StringComparison.Ordinal);
        var records = Directory.GetFiles(Path.Combine(_home.Path, "records")).Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f)));
        foreach (var text in new[] { firstJson, secondJson, backJson, logs1, logs2 }.Concat(records))
        {
            Assert.DoesNotContain(First, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Second, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Validate_KubernetesTarget_ReportsVersionAndEachRbacGapWithWhatToDo()
    {
        var kubeconfig = _server.WriteKubeconfig(_home.Path);
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: shop
            environments:
              staging:
                target:
                  kubernetes: { kubeconfig: "{{kubeconfig}}", context: test, namespace: shop }
            """);
        _server.Denied.Add("patch deployments/scale");
        _server.Denied.Add("get pods/log");

        var (code, json) = await RunAsync("validate", _app.Path, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        using var results = JsonDocument.Parse(json);
        var checks = results.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => (Passed: r.GetProperty("passed").GetBoolean(), Detail: r.GetProperty("detail").GetString()!));
        Assert.Equal((true, "API server reachable, version v1.31.2"), checks["kubernetes: staging (test/shop)"]);
        var access = checks["kubernetes: staging (test/shop): access"];
        Assert.False(access.Passed);
        Assert.StartsWith("missing in namespace shop: patch deployments/scale.apps (size canaries and colours), get pods/log (show a failing pod's logs).", access.Detail, StringComparison.Ordinal);
        Assert.Contains("kubectl create role deploymind -n shop", access.Detail, StringComparison.Ordinal);
        Assert.Equal(14, _server.Calls.Count(c => c.StartsWith("POST selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.DoesNotContain(checks.Keys, k => k.StartsWith("local", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_WithEnvSecret_AlsoAsksForWhatReleaseSecretsNeed()
    {
        var kubeconfig = _server.WriteKubeconfig(_home.Path);
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: shop
            env: { secret: [ DATABASE_URL ] }
            environments:
              staging:
                target:
                  kubernetes: { kubeconfig: "{{kubeconfig}}", context: test, namespace: shop }
            """);
        _server.Denied.Add("delete secrets");

        var (code, json) = await RunAsync("validate", _app.Path, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        using var results = JsonDocument.Parse(json);
        var access = results.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "kubernetes: staging (test/shop): access");
        Assert.StartsWith("missing in namespace shop: delete secrets (remove the Secrets no revision reads any more).", access.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(19, _server.Calls.Count(c => c.StartsWith("POST selfsubjectaccessreviews", StringComparison.Ordinal)));
        Assert.Contains(results.RootElement.EnumerateArray(), r => r.GetProperty("name").GetString() == "configuration: environments.staging" && r.GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Validate_UnreachableApiServer_SaysWhatToCheck()
    {
        var kubeconfig = _server.WriteKubeconfig(_home.Path);
        await _server.DisposeAsync(); // nothing listens on its port any more
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: shop
            environments:
              staging:
                target:
                  kubernetes: { kubeconfig: "{{kubeconfig}}", context: test, namespace: shop }
            """);

        var (code, json) = await RunAsync("validate", _app.Path, "--output", "json");

        Assert.Equal(ExitCodes.InvalidInput, code);
        using var results = JsonDocument.Parse(json);
        var check = results.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "kubernetes: staging (test/shop)");
        Assert.False(check.GetProperty("passed").GetBoolean());
        Assert.Contains("cannot be reached", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Check the kubeconfig's server address", check.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> EnvFrom(System.Text.Json.Nodes.JsonObject deployment) =>
        [.. deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["envFrom"]!.AsArray()
            .Select(e => e!["configMapRef"] is { } c ? $"configMap {c["name"]}" : $"secret {e["secretRef"]!["name"]}")];

    private static string Image(System.Text.Json.Nodes.JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?> { ["database:path"] = Path.Combine(_home.Path, "records", "deploymind.db") };
        var hosts = new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
