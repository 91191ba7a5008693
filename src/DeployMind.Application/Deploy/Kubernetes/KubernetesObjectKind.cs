namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>The kinds of object DeployMind makes for an app in a namespace (what removal lists and deletes).</summary>
public enum KubernetesObjectKind
{
    Deployment,
    Service,
    ConfigMap,
    Autoscaler,
    DisruptionBudget,
    Secret,
}
