using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>Which of an app's Deployments a workload is: the stable one, the canary, or a blue-green colour.</summary>
public enum KubernetesVariant
{
    /// <summary>"&lt;app&gt;" (rolling, and the stable side of a canary).</summary>
    Stable,

    /// <summary>"&lt;app&gt;-canary", behind the same Service as the stable one.</summary>
    Canary,

    /// <summary>"&lt;app&gt;-blue".</summary>
    Blue,

    /// <summary>"&lt;app&gt;-green".</summary>
    Green,
}

/// <summary>The objects of an app that an apply sends.</summary>
[Flags]
public enum KubernetesParts
{
    None = 0,
    Deployment = 1,
    Service = 2,
    ConfigMap = 4,
    Autoscaler = 8,
    DisruptionBudget = 16,

    /// <summary>Everything but the Deployment and the Service.</summary>
    Supporting = ConfigMap | Autoscaler | DisruptionBudget,
    All = Deployment | Service | Supporting,
}

/// <summary>What the manifests of an app are generated from (no Kubernetes SDK type: the adapter turns it into objects).</summary>
/// <param name="App">The app's name (a DNS label).</param>
/// <param name="Image">The image the cluster pulls.</param>
/// <param name="ReleaseId">The release (a label and an annotation of the pods).</param>
/// <param name="Settings">The environment's Kubernetes settings.</param>
/// <param name="Health">The probes' path and timing.</param>
public sealed record KubernetesWorkload(string App, string Image, string ReleaseId, KubernetesSettings Settings, HealthPolicy Health)
{
    public string? Commit { get; init; }

    public KubernetesVariant Variant { get; init; } = KubernetesVariant.Stable;

    /// <summary>The Deployment's replicas; null leaves them to the autoscaler (after the Deployment exists).</summary>
    public int? Replicas { get; init; }

    /// <summary>Blue-green: the colour the Service selects (and the autoscaler scales); null for rolling and canary, where the Service selects every track.</summary>
    public KubernetesVariant? LiveColour { get; init; }

    /// <summary>The release's Secret the pods read <c>env.secret</c> from (<see cref="KubernetesNames.ReleaseSecret"/>); null when the app has none.</summary>
    public string? ReleaseSecret { get; init; }

    /// <summary>The Deployment's name.</summary>
    public string DeploymentName => KubernetesNames.Deployment(App, Variant);
}
