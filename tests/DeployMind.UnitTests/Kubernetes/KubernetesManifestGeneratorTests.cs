using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Kubernetes;
using k8s.Models;

namespace DeployMind.UnitTests.Kubernetes;

public sealed class KubernetesManifestGeneratorTests
{
    private static readonly KubernetesSettings Settings = new KubernetesTargetOptions
    {
        Namespace = "shop",
        Replicas = 3,
        Env = new() { ["LOG_LEVEL"] = "info" },
        SecretEnv = new() { ["DATABASE_URL"] = new KubernetesSecretRefOptions { Secret = "shop-db", Key = "url" } },
    }.ToSettings("environments.staging.target.kubernetes", 3000);

    private static readonly KubernetesWorkload Workload = new("shop", "shop:1a2b", "r-1a2b", Settings, new HealthPolicy("/ready", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 3, TimeSpan.FromSeconds(60)))
    {
        Commit = "1a2b3c",
        Replicas = 3,
    };

    [Fact]
    public void Generate_All_GivesTheObjectsInApplyOrder()
    {
        var objects = KubernetesManifestGenerator.Generate(Workload, KubernetesParts.All);

        Assert.Equal(["ConfigMap/shop-env", "Deployment/shop", "Service/shop", "HorizontalPodAutoscaler/shop", "PodDisruptionBudget/shop"], objects.Select(o => $"{o.Kind}/{o.Metadata.Name}"));
        Assert.All(objects, o => Assert.Equal("shop", o.Metadata.NamespaceProperty));
        Assert.All(objects, o => Assert.Equal(("shop", "shop", "deploymind"), (o.Metadata.Labels["app.kubernetes.io/name"], o.Metadata.Labels["app.kubernetes.io/instance"], o.Metadata.Labels["app.kubernetes.io/managed-by"])));
    }

    [Fact]
    public void Deployment_HasProbesResourcesSpreadLockedDownSecurityAndZeroDowntimeRollingUpdate()
    {
        var deployment = Deployment(Workload);
        var spec = deployment.Spec;
        var pod = spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.Equal(("RollingUpdate", "1", "0"), (spec.Strategy.Type, spec.Strategy.RollingUpdate.MaxSurge.Value, spec.Strategy.RollingUpdate.MaxUnavailable.Value));
        Assert.Equal(3, spec.Replicas);
        Assert.Equal(300, spec.ProgressDeadlineSeconds);
        Assert.Equal(("/ready", "http", 2, 3), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value, container.ReadinessProbe.PeriodSeconds, container.ReadinessProbe.TimeoutSeconds));
        Assert.Equal(("/ready", 30), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.InitialDelaySeconds));
        Assert.Equal(3000, Assert.Single(container.Ports).ContainerPort);
        Assert.Equal(("100m", "128Mi"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Requests["memory"].ToString()));
        Assert.Equal(("500m", "256Mi"), (container.Resources.Limits["cpu"].ToString(), container.Resources.Limits["memory"].ToString()));
        Assert.Equal(["kubernetes.io/hostname", "topology.kubernetes.io/zone"], pod.TopologySpreadConstraints.Select(t => t.TopologyKey));
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal((true, true, false), (container.SecurityContext.RunAsNonRoot, container.SecurityContext.ReadOnlyRootFilesystem, container.SecurityContext.AllowPrivilegeEscalation));
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal("/tmp", Assert.Single(container.VolumeMounts).MountPath);
        Assert.Equal(30, pod.TerminationGracePeriodSeconds);
        Assert.Equal(
            ["PORT=3000", "HOST=0.0.0.0", "DATABASE_URL=secret shop-db/url"],
            container.Env.Select(e => e.ValueFrom is null ? $"{e.Name}={e.Value}" : $"{e.Name}=secret {e.ValueFrom.SecretKeyRef.Name}/{e.ValueFrom.SecretKeyRef.Key}"));
        Assert.Equal("shop-env", Assert.Single(container.EnvFrom).ConfigMapRef.Name);
        Assert.Equal(("r-1a2b", "1a2b3c", "shop:1a2b"), (
            spec.Template.Metadata.Annotations["deploymind.dev/release"], spec.Template.Metadata.Annotations["deploymind.dev/commit"], spec.Template.Metadata.Annotations["deploymind.dev/image"]));
        Assert.Equal("1a2b", deployment.Metadata.Labels["app.kubernetes.io/version"]);
    }

    [Fact]
    public void Deployment_WithEnvSecret_ReadsTheReleasesSecretWholeAfterTheConfigMap()
    {
        var container = Assert.Single(Deployment(Workload with { ReleaseSecret = "shop-r-1a2b-env" }).Spec.Template.Spec.Containers);

        Assert.Equal(["configMap shop-env", "secret shop-r-1a2b-env"], container.EnvFrom.Select(e => e.ConfigMapRef is { } c ? $"configMap {c.Name}" : $"secret {e.SecretRef.Name}"));
        Assert.Null(container.EnvFrom[1].SecretRef.Optional);
        Assert.Contains(container.Env, e => e.ValueFrom?.SecretKeyRef?.Name == "shop-db");
        Assert.Equal(["secret shop-r-1a2b-env"], Deployment(Workload with { ReleaseSecret = "shop-r-1a2b-env", Settings = Settings with { Env = new Dictionary<string, string>() } })
            .Spec.Template.Spec.Containers[0].EnvFrom.Select(e => $"secret {e.SecretRef.Name}"));
    }

    [Fact]
    public void Deployment_SelectorIsTheVariantsAndThePodsCarryIt()
    {
        var canary = Deployment(Workload with { Variant = KubernetesVariant.Canary });
        var green = Deployment(Workload with { Variant = KubernetesVariant.Green });

        Assert.Equal("shop-canary", canary.Metadata.Name);
        Assert.Equal("canary", canary.Spec.Selector.MatchLabels["deploymind.dev/track"]);
        Assert.Equal("shop-green", green.Metadata.Name);
        Assert.Equal("green", green.Spec.Selector.MatchLabels["deploymind.dev/colour"]);
        Assert.All(new[] { canary, green }, d => Assert.All(d.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, d.Spec.Template.Metadata.Labels[l.Key])));
    }

    [Fact]
    public void Deployment_ReplicasLeftToTheCluster_AreNotInTheManifest()
    {
        var yaml = KubernetesManifestGenerator.ToYaml(KubernetesManifestGenerator.Generate(Workload with { Replicas = null }, KubernetesParts.Deployment));

        Assert.DoesNotContain("replicas:", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Service_RollingSelectsEveryTrack_BlueGreenSelectsTheLiveColour()
    {
        var rolling = (V1Service)KubernetesManifestGenerator.Generate(Workload, KubernetesParts.Service)[0];
        var blue = (V1Service)KubernetesManifestGenerator.Generate(Workload with { LiveColour = KubernetesVariant.Blue }, KubernetesParts.Service)[0];

        Assert.Equal(["app.kubernetes.io/instance", "app.kubernetes.io/name"], rolling.Spec.Selector.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("blue", blue.Spec.Selector["deploymind.dev/colour"]);
        Assert.Equal((80, "http"), (rolling.Spec.Ports[0].Port, rolling.Spec.Ports[0].TargetPort.Value));
    }

    [Fact]
    public void Autoscaler_ScalesTheLiveDeploymentOnCpu70()
    {
        var hpa = (V2HorizontalPodAutoscaler)KubernetesManifestGenerator.Generate(Workload with { LiveColour = KubernetesVariant.Green }, KubernetesParts.Autoscaler)[0];
        var pdb = (V1PodDisruptionBudget)KubernetesManifestGenerator.Generate(Workload, KubernetesParts.DisruptionBudget)[0];

        Assert.Equal(("shop-green", 3, 10), (hpa.Spec.ScaleTargetRef.Name, hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));
        Assert.Equal(("cpu", "Utilization", 70), (hpa.Spec.Metrics[0].Resource.Name, hpa.Spec.Metrics[0].Resource.Target.Type, hpa.Spec.Metrics[0].Resource.Target.AverageUtilization));
        Assert.Equal("1", pdb.Spec.MinAvailable.Value);
    }

    [Fact]
    public void Generate_AutoscalingPdbAndEnvOff_LeavesThoseObjectsOut()
    {
        var bare = new KubernetesTargetOptions { Autoscaling = { Enabled = false }, Pdb = { Enabled = false } }.ToSettings("k", 8080);

        var objects = KubernetesManifestGenerator.Generate(Workload with { Settings = bare }, KubernetesParts.All);

        Assert.Equal(["Deployment", "Service"], objects.Select(o => o.Kind));
    }

    [Fact]
    public void ForStrategy_EachStrategy_GivesWhatItRuns()
    {
        string Kinds(StrategyKind strategy) => string.Join(' ', KubernetesManifestGenerator.ForStrategy(Workload, strategy, 1).Select(o => $"{o.Kind}/{o.Metadata.Name}"));

        Assert.Equal("ConfigMap/shop-env Deployment/shop Service/shop HorizontalPodAutoscaler/shop PodDisruptionBudget/shop", Kinds(StrategyKind.Rolling));
        Assert.Equal("ConfigMap/shop-env Deployment/shop Service/shop HorizontalPodAutoscaler/shop PodDisruptionBudget/shop Deployment/shop-canary", Kinds(StrategyKind.Canary));
        Assert.Equal("ConfigMap/shop-env Deployment/shop-blue Service/shop HorizontalPodAutoscaler/shop PodDisruptionBudget/shop", Kinds(StrategyKind.BlueGreen));
    }

    private static V1Deployment Deployment(KubernetesWorkload workload) => (V1Deployment)KubernetesManifestGenerator.Generate(workload, KubernetesParts.Deployment)[0];
}
