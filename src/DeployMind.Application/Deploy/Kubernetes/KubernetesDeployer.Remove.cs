namespace DeployMind.Application.Deploy.Kubernetes;

public sealed partial class KubernetesDeployer
{
    /// <summary>
    /// What removal deletes, in order: the Service first (no traffic reaches the app), then what scales it and runs it,
    /// then its configuration and its release Secrets.
    /// </summary>
    internal static readonly IReadOnlyList<KubernetesObjectKind> RemovalOrder =
    [
        KubernetesObjectKind.Service,
        KubernetesObjectKind.Autoscaler,
        KubernetesObjectKind.DisruptionBudget,
        KubernetesObjectKind.Deployment,
        KubernetesObjectKind.ConfigMap,
        KubernetesObjectKind.Secret,
    ];

    /// <summary>
    /// Removes <paramref name="app"/> from the namespace: every object DeployMind made for it (labelled
    /// <c>app.kubernetes.io/instance=&lt;app&gt;</c> and <c>managed-by: deploymind</c>), its Deployments' pods and
    /// ReplicaSets with them, and the Secrets of its releases. Secrets named in <c>secretEnv</c> are the user's and stay.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveAsync(DeployRequest template, string app, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(observer);
        var cluster = _clusters.Connect(Settings(template));
        var removed = new List<string>();
        foreach (var kind in RemovalOrder)
        {
            foreach (var name in await cluster.ListAsync(kind, KubernetesNames.AppObjectsSelector(app), cancellationToken))
            {
                observer.Step(cluster.Display, $"deleting {kind} {name}");
                await cluster.DeleteAsync(kind, name, cancellationToken);
                removed.Add($"{kind} {name}");
            }
        }

        return [$"k8s {cluster.Display}: {(removed.Count == 0 ? $"nothing of {app} was there" : string.Join(", ", removed))}"];
    }

    /// <summary>What DeployMind made for <paramref name="app"/> that is still in the namespace: one line, or none.</summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync(DeployRequest template, string app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(template);
        var cluster = _clusters.Connect(Settings(template));
        var left = new List<string>();
        foreach (var kind in RemovalOrder)
        {
            left.AddRange((await cluster.ListAsync(kind, KubernetesNames.AppObjectsSelector(app), cancellationToken)).Select(name => $"{kind} {name}"));
        }

        return left.Count == 0 ? [] : [$"k8s {cluster.Display}: {string.Join(", ", left)}"];
    }
}
