using System.Text.RegularExpressions;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>An environment's Kubernetes target, checked (<see cref="Configuration.KubernetesTargetOptions.ToSettings"/>).</summary>
/// <param name="Namespace">The namespace everything goes in.</param>
/// <param name="Replicas">Pods of the app (the autoscaler's minimum when autoscaling is on).</param>
/// <param name="ContainerPort">The port the container listens on (PORT).</param>
/// <param name="ServicePort">The Service's port.</param>
/// <param name="ServiceType">ClusterIP, NodePort or LoadBalancer.</param>
/// <param name="Resources">Requests and limits.</param>
public sealed record KubernetesSettings(string Namespace, int Replicas, int ContainerPort, int ServicePort, string ServiceType, KubernetesResources Resources)
{
    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public bool InCluster { get; init; }

    /// <summary>Null when autoscaling is off.</summary>
    public KubernetesAutoscaling? Autoscaling { get; init; }

    /// <summary>Null when no PodDisruptionBudget is wanted.</summary>
    public int? PdbMinAvailable { get; init; } = 1;

    /// <summary>Non-secret environment variables (a ConfigMap), sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The names of the app's <c>env.secret</c>, sorted: their values, resolved when a deploy runs, go in the release's own
    /// Secret (<see cref="KubernetesNames.ReleaseSecret"/>), which the pods read.
    /// </summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Environment variables from existing Secrets, sorted by name.</summary>
    public IReadOnlyDictionary<string, KubernetesSecretRef> SecretEnv { get; init; } = new SortedDictionary<string, KubernetesSecretRef>(StringComparer.Ordinal);

    /// <summary>The registry prefix images are pushed to and pulled from, or null (the cluster pulls the image name as built).</summary>
    public string? Registry { get; init; }

    public TimeSpan RolloutDeadline { get; init; } = TimeSpan.FromMinutes(5);

    public long TerminationGracePeriodSeconds { get; init; } = 30;

    /// <summary>Access-log pattern for canary error-rate analysis, or null (canaries judged on readiness and restarts).</summary>
    public Regex? LogPattern { get; init; }

    /// <summary>How the target is shown and recorded: "&lt;context&gt;/&lt;namespace&gt;" ("in-cluster/&lt;namespace&gt;", "current/&lt;namespace&gt;" for the kubeconfig's current context).</summary>
    public string Display => $"{(InCluster ? "in-cluster" : Context ?? "current")}/{Namespace}";
}

/// <summary>Container requests and limits, as Kubernetes quantities.</summary>
public sealed record KubernetesResources(string RequestsCpu, string RequestsMemory, string LimitsCpu, string LimitsMemory)
{
    public static KubernetesResources Default { get; } = new("100m", "128Mi", "500m", "256Mi");
}

/// <summary>A HorizontalPodAutoscaler on CPU utilisation.</summary>
public sealed record KubernetesAutoscaling(int MinReplicas, int MaxReplicas, int CpuUtilization);

/// <summary>A key of an existing Secret.</summary>
public sealed record KubernetesSecretRef(string Secret, string Key);
