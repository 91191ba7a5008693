using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Cli;

/// <summary><c>deploymind manifests</c>: the environment's manifests as YAML or JSON, nothing built or sent.</summary>
public sealed class ManifestsCliTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-manifests-");

    public ManifestsCliTests()
    {
        Write("go.mod", "module example.com/shop\n\ngo 1.22\n");
        Write("main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n");
    }

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task Manifests_BlueGreenEnvironment_PrintsTheBlueDeploymentAndTheServiceOnBlueAsYaml()
    {
        Write("deploymind.yml", """
            app: shop
            environments:
              staging:
                strategy: blue-green
                healthCheck: { path: /ready }
                target:
                  kubernetes: { context: staging, namespace: shop, replicas: 3, registry: registry.example.com/team, env: { LOG_LEVEL: info } }
            """);

        var (code, output) = await RunAsync("manifests", _dir.FullName, "--env", "staging", "--image", "shop:1.4.2");

        Assert.Equal(ExitCodes.Success, code);
        var documents = output.Split("\n---\n");
        Assert.Equal(["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"], documents.Select(d => d.Split('\n').First(l => l.StartsWith("kind: ", StringComparison.Ordinal))[6..]));
        Assert.Contains("name: shop-blue", documents[1], StringComparison.Ordinal);
        Assert.Contains("image: registry.example.com/team/shop:1.4.2", documents[1], StringComparison.Ordinal);
        Assert.Contains("path: /ready", documents[1], StringComparison.Ordinal);
        Assert.Contains("replicas: 3", documents[1], StringComparison.Ordinal);
        Assert.Contains("deploymind.dev/colour: blue", documents[2], StringComparison.Ordinal);
        Assert.Contains("name: shop-blue", documents[3], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifests_JsonTwice_IsAListAndTheSameEachTime()
    {
        Write("deploymind.yml", """
            environments:
              staging:
                target: { kubernetes: { namespace: shop } }
            """);

        var (code, first) = await RunAsync("manifests", _dir.FullName, "--env", "staging", "--output", "json");
        var (_, second) = await RunAsync("manifests", _dir.FullName, "--env", "staging", "--output", "json");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(first, second);
        using var json = JsonDocument.Parse(first);
        Assert.Equal("List", json.RootElement.GetProperty("kind").GetString());
        var deployment = json.RootElement.GetProperty("items")[0];
        Assert.Equal("Deployment", deployment.GetProperty("kind").GetString());
        Assert.Equal(8080, deployment.GetProperty("spec").GetProperty("template").GetProperty("spec").GetProperty("containers")[0].GetProperty("ports")[0].GetProperty("containerPort").GetInt32());
    }

    [Fact]
    public async Task Manifests_EnvironmentOnDockerHosts_SaysWhichKeyIsMissing()
    {
        var (code, output) = await RunAsync("manifests", _dir.FullName, "--env", "production");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("environments.production.target.kubernetes: the environment does not target Kubernetes", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifests_BadSetting_NamesTheKey()
    {
        Write("deploymind.yml", """
            environments:
              staging:
                target: { kubernetes: { replicas: 0 } }
            """);

        var (code, output) = await RunAsync("manifests", _dir.FullName, "--env", "staging");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("environments.staging.target.kubernetes.replicas: 0 is out of range", output, StringComparison.Ordinal);
    }

    private void Write(string relative, string content) => File.WriteAllText(Path.Combine(_dir.FullName, relative), content);

    private static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(), CancellationToken.None);
        return (code, console.Output);
    }
}
