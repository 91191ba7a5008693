namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>A Deployment condition (Available, Progressing, ReplicaFailure).</summary>
public sealed record KubernetesCondition(string Type, string Status, string? Reason, string? Message);

/// <summary>What a Deployment says of itself.</summary>
/// <param name="Name">The Deployment's name.</param>
/// <param name="Generation">metadata.generation.</param>
/// <param name="ObservedGeneration">status.observedGeneration: the controller has seen the spec when it equals the generation.</param>
/// <param name="Replicas">spec.replicas: the pods wanted.</param>
/// <param name="TotalReplicas">status.replicas: pods of every revision.</param>
/// <param name="UpdatedReplicas">status.updatedReplicas: pods of the current template.</param>
/// <param name="ReadyReplicas">status.readyReplicas.</param>
/// <param name="AvailableReplicas">status.availableReplicas.</param>
public sealed record KubernetesDeploymentStatus(string Name, long Generation, long ObservedGeneration, int Replicas, int TotalReplicas, int UpdatedReplicas, int ReadyReplicas, int AvailableReplicas)
{
    public IReadOnlyList<KubernetesCondition> Conditions { get; init; } = [];

    /// <summary>The pod template's image.</summary>
    public string? Image { get; init; }

    /// <summary>The pod template's DeployMind release.</summary>
    public string? ReleaseId { get; init; }

    /// <summary>The deployment.kubernetes.io/revision annotation.</summary>
    public long? Revision { get; init; }

    public KubernetesCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);
}

/// <summary>A pod and how its containers are.</summary>
/// <param name="Name">The pod's name.</param>
/// <param name="Phase">Pending, Running, Succeeded, Failed.</param>
/// <param name="Ready">The Ready condition is true.</param>
/// <param name="Restarts">Container restarts, summed.</param>
/// <param name="WaitingReason">A container's waiting reason (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...), or null.</param>
/// <param name="WaitingMessage">Its message.</param>
public sealed record KubernetesPod(string Name, string Phase, bool Ready, int Restarts, string? WaitingReason, string? WaitingMessage)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The last termination's reason (Error, OOMKilled), or null.</summary>
    public string? LastTerminationReason { get; init; }
}

/// <summary>An event of an object.</summary>
public sealed record KubernetesEvent(string Type, string Reason, string Message, int Count);

/// <summary>One revision of a Deployment (a ReplicaSet).</summary>
/// <param name="Number">The revision number.</param>
/// <param name="ReplicaSet">The ReplicaSet's name.</param>
/// <param name="Image">Its pod template's image.</param>
/// <param name="ReleaseId">Its DeployMind release, when it has one.</param>
/// <param name="Commit">Its commit, when known.</param>
public sealed record KubernetesRevision(long Number, string ReplicaSet, string? Image, string? ReleaseId, string? Commit);
