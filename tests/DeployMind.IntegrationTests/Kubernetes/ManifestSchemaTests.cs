using System.Diagnostics;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Build;
using DeployMind.Infrastructure.Kubernetes;
using DeployMind.IntegrationTests.Support;
using k8s;

namespace DeployMind.IntegrationTests.Kubernetes;

/// <summary>
/// The generated manifests, for every example app and strategy, are valid against the official Kubernetes OpenAPI
/// schemas: the kubernetes-models validator (tests/k8s-schema, installed by scripts/bootstrap.sh with npm ci) is run with
/// node on the JSON and on the YAML as `deploymind manifests` prints them.
/// </summary>
public sealed class ManifestSchemaTests
{
    private static readonly string Validator = Path.Combine(Repo.Root, "tests", "k8s-schema", "validate.mjs");

    public static TheoryData<string, StrategyKind> Cases()
    {
        var data = new TheoryData<string, StrategyKind>();
        foreach (var example in Directory.GetDirectories(Path.Combine(Repo.Root, "examples")).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            foreach (var strategy in Enum.GetValues<StrategyKind>())
            {
                data.Add(example!, strategy);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Manifests_EveryExampleAndStrategy_AreValidAgainstTheKubernetesSchemas(string example, StrategyKind strategy)
    {
        var detection = await new LanguageDetector().DetectAsync(Repo.Example(example), CancellationToken.None);
        var options = new KubernetesTargetOptions
        {
            Context = "staging",
            Namespace = "shop",
            Replicas = 3,
            Env = new() { ["LOG_LEVEL"] = "info", ["FEATURE_X"] = "on" },
            SecretEnv = new() { ["DATABASE_URL"] = new KubernetesSecretRefOptions { Secret = "shop-db", Key = "url" } },
            Registry = "registry.example.com/team",
        };
        var settings = options.ToSettings("environments.staging.target.kubernetes", detection.Port);
        var workload = new KubernetesWorkload(example, KubernetesNames.PulledImage($"{example}:1a2b3c4d5e6f", settings.Registry), "20261127-120000000-1a2b3c4d5e6f", settings, HealthPolicy.Default)
        {
            Commit = "1a2b3c4d5e6f7a8b9c0d",
        };
        var objects = KubernetesManifestGenerator.ForStrategy(workload, strategy, KubernetesDeployer.CanaryReplicas(settings.Replicas, 10));

        // What the strategies apply on their way (the canary, the green colour, replicas left to the autoscaler) too.
        var applied = KubernetesManifestGenerator.Generate(workload with { Variant = KubernetesVariant.Green, LiveColour = KubernetesVariant.Green }, KubernetesParts.All)
            .Concat(KubernetesManifestGenerator.Generate(workload with { Variant = KubernetesVariant.Canary }, KubernetesParts.Deployment));

        Assert.Equal(
            strategy == StrategyKind.Canary
                ? ["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Deployment"]
                : ["ConfigMap", "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"],
            objects.Select(o => o.Kind));
        await AssertValidAsync(KubernetesManifestGenerator.ToJson(objects), objects.Count);
        await AssertValidAsync(KubernetesManifestGenerator.ToJson(KubernetesYaml.LoadAllFromString(KubernetesManifestGenerator.ToYaml(objects))), objects.Count);
        await AssertValidAsync(KubernetesManifestGenerator.ToJson(applied), applied.Count());
    }

    [Fact]
    public async Task Validator_InvalidDeployment_FailsWithTheSchemaMessage()
    {
        var (exit, output) = await RunValidatorAsync("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"},
             "spec":{"selector":{},"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":"http"}]}]}}}}
            """);

        Assert.Equal(1, exit);
        Assert.Contains("containerPort must be integer", output, StringComparison.Ordinal);
    }

    private static async Task AssertValidAsync(string json, int count)
    {
        var (exit, output) = await RunValidatorAsync(json);
        Assert.True(exit == 0, $"the Kubernetes schema validator rejected the manifests:\n{output}");
        Assert.Equal($"valid: {count} object(s)", output.Trim());
    }

    private static async Task<(int Exit, string Output)> RunValidatorAsync(string json)
    {
        Assert.True(
            Directory.Exists(Path.Combine(Repo.Root, "tests", "k8s-schema", "node_modules", "kubernetes-models")),
            "tests/k8s-schema/node_modules is missing: run scripts/bootstrap.sh (it runs npm ci there).");
        var file = Path.Combine(Path.GetTempPath(), $"dm-manifests-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("node", [Validator, file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(Validator),
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
