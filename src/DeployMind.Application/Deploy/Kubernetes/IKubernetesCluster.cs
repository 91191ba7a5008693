namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>
/// One namespace of a Kubernetes cluster, as the strategies need it (the adapter wraps the official client). Every write
/// is a server-side apply with DeployMind's field manager or a targeted patch; nothing is forced over another manager.
/// </summary>
public interface IKubernetesCluster
{
    /// <summary>"&lt;context&gt;/&lt;namespace&gt;".</summary>
    string Display { get; }

    /// <summary>Server-side applies the <paramref name="parts"/> of the workload's manifests.</summary>
    /// <exception cref="KubernetesConflictException">Another field manager owns a field DeployMind sets; nothing was forced.</exception>
    /// <exception cref="Domain.DeployMindException">The API refused or could not be reached; the message says why.</exception>
    Task ApplyAsync(KubernetesWorkload workload, KubernetesParts parts, CancellationToken cancellationToken);

    /// <summary>A Deployment's spec and status, or null when there is none.</summary>
    Task<KubernetesDeploymentStatus?> GetDeploymentAsync(string name, CancellationToken cancellationToken);

    /// <summary>The pods matching a label selector ("k=v,k2=v2").</summary>
    Task<IReadOnlyList<KubernetesPod>> ListPodsAsync(string labelSelector, CancellationToken cancellationToken);

    /// <summary>The last <paramref name="tailLines"/> lines of a pod's log (since <paramref name="since"/> ago when given).</summary>
    Task<IReadOnlyList<string>> PodLogsAsync(string pod, int tailLines, TimeSpan? since, CancellationToken cancellationToken);

    /// <summary>Events of an object (a pod, a Deployment), oldest first.</summary>
    Task<IReadOnlyList<KubernetesEvent>> EventsAsync(string objectName, CancellationToken cancellationToken);

    /// <summary>The Service's current selector, or null when there is no Service.</summary>
    Task<IReadOnlyDictionary<string, string>?> GetServiceSelectorAsync(string name, CancellationToken cancellationToken);

    /// <summary>Changes the Deployment's replicas (the scale subresource).</summary>
    Task ScaleAsync(string name, int replicas, CancellationToken cancellationToken);

    /// <summary>Restarts the Deployment's pods (a rolling restart, as <c>kubectl rollout restart</c>).</summary>
    Task RestartAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The Deployment's revisions (its ReplicaSets), newest first.</summary>
    Task<IReadOnlyList<KubernetesRevision>> RevisionsAsync(string deployment, CancellationToken cancellationToken);

    /// <summary>Puts the revision's pod template back on the Deployment (as <c>kubectl rollout undo --to-revision</c>).</summary>
    Task RollbackAsync(string deployment, KubernetesRevision revision, CancellationToken cancellationToken);

    /// <summary>Deletes a Deployment (its pods go with it); no error when it is gone already.</summary>
    Task DeleteDeploymentAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a release's Secret (Opaque, immutable). One that exists already with the same data is kept; one of
    /// DeployMind's for the same app with other data (the release deployed again with other values) is deleted and created
    /// again, since an immutable Secret cannot change. No value is ever in what it throws.
    /// </summary>
    /// <exception cref="KubernetesConflictException">A Secret of that name exists that is not DeployMind's for the app; it was left alone.</exception>
    /// <exception cref="Domain.DeployMindException">The API refused or could not be reached; the message names the Secret and says why.</exception>
    Task CreateSecretAsync(KubernetesReleaseSecret secret, CancellationToken cancellationToken);

    /// <summary>The names of the objects of a kind matching a label selector ("k=v,k2=v2"), sorted.</summary>
    Task<IReadOnlyList<string>> ListAsync(KubernetesObjectKind kind, string labelSelector, CancellationToken cancellationToken);

    /// <summary>Deletes an object (a Deployment's pods and ReplicaSets go with it); no error when it is gone already.</summary>
    Task DeleteAsync(KubernetesObjectKind kind, string name, CancellationToken cancellationToken);

    /// <summary>
    /// The Secrets the pod templates of the app's Deployments and of their ReplicaSets (the revisions a rollback can go back
    /// to) read, by name: <c>envFrom</c>, <c>env[].valueFrom</c> and volumes.
    /// </summary>
    Task<IReadOnlySet<string>> SecretsInUseAsync(string app, CancellationToken cancellationToken);

    /// <summary>The API server's version ("v1.31.2").</summary>
    Task<string> ServerVersionAsync(CancellationToken cancellationToken);

    /// <summary>Whether the current identity may do <paramref name="verb"/> on <paramref name="resource"/> in the namespace (a SelfSubjectAccessReview).</summary>
    Task<bool> CanAsync(string verb, string group, string resource, string? subresource, CancellationToken cancellationToken);
}

/// <summary>Connects to the cluster an environment targets.</summary>
public interface IKubernetesClusterFactory
{
    /// <summary>A cluster for the settings' kubeconfig and context (or the pod's service account).</summary>
    /// <exception cref="Domain.DeployMindException">The kubeconfig cannot be read or has no such context; the message says what to do.</exception>
    IKubernetesCluster Connect(KubernetesSettings settings);
}

/// <summary>Makes a built image pullable by a cluster: tags it under a registry prefix and pushes it.</summary>
public interface IImagePublisher
{
    /// <summary>Tags <paramref name="image"/> as "&lt;registry&gt;/&lt;image&gt;", pushes it and returns the pushed name.</summary>
    /// <exception cref="Domain.DeployMindException">The tag or the push failed; the message has the tool's output.</exception>
    Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken);
}
