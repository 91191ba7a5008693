using System.Globalization;
using System.Net;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>
/// <see cref="IKubernetesCluster"/> over the official client: server-side apply (field manager "deploymind", never
/// forced), reads, the scale subresource, ReplicaSet revisions, pod logs, events and SelfSubjectAccessReviews.
/// </summary>
internal sealed partial class KubernetesCluster : IKubernetesCluster
{
    private readonly IKubernetes _client;
    private readonly string _namespace;

    public KubernetesCluster(IKubernetes client, KubernetesSettings settings)
    {
        _client = client;
        _namespace = settings.Namespace;
        Display = settings.Display;
    }

    public string Display { get; }

    public async Task ApplyAsync(KubernetesWorkload workload, KubernetesParts parts, CancellationToken cancellationToken)
    {
        foreach (var item in KubernetesManifestGenerator.Generate(workload, parts))
        {
            await ApplyObjectAsync(item, cancellationToken);
        }
    }

    private async Task ApplyObjectAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(item, V1Patch.PatchType.ApplyPatch);
        var name = item.Metadata.Name;
        var what = $"apply {item.Kind} {name}";
        const string manager = KubernetesNames.FieldManager;
        switch (item)
        {
            case V1Deployment:
                await CallAsync(what, ct => _client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, _namespace, fieldManager: manager, force: false, cancellationToken: ct), cancellationToken);
                break;
            case V1Service:
                await CallAsync(what, ct => _client.CoreV1.PatchNamespacedServiceAsync(patch, name, _namespace, fieldManager: manager, force: false, cancellationToken: ct), cancellationToken);
                break;
            case V1ConfigMap:
                await CallAsync(what, ct => _client.CoreV1.PatchNamespacedConfigMapAsync(patch, name, _namespace, fieldManager: manager, force: false, cancellationToken: ct), cancellationToken);
                break;
            case V2HorizontalPodAutoscaler:
                await CallAsync(what, ct => _client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(patch, name, _namespace, fieldManager: manager, force: false, cancellationToken: ct), cancellationToken);
                break;
            case V1PodDisruptionBudget:
                await CallAsync(what, ct => _client.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(patch, name, _namespace, fieldManager: manager, force: false, cancellationToken: ct), cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"No apply for {item.Kind}.");
        }
    }

    public async Task<KubernetesDeploymentStatus?> GetDeploymentAsync(string name, CancellationToken cancellationToken)
    {
        var deployment = await ReadOrNullAsync($"read Deployment {name}", ct => _client.AppsV1.ReadNamespacedDeploymentAsync(name, _namespace, cancellationToken: ct), cancellationToken);
        return deployment is null ? null : Map(deployment);
    }

    internal static KubernetesDeploymentStatus Map(V1Deployment deployment)
    {
        var status = deployment.Status ?? new V1DeploymentStatus();
        var template = deployment.Spec?.Template?.Metadata;
        return new KubernetesDeploymentStatus(
            deployment.Metadata.Name,
            deployment.Metadata.Generation ?? 0,
            status.ObservedGeneration ?? 0,
            deployment.Spec?.Replicas ?? 1,
            status.Replicas ?? 0,
            status.UpdatedReplicas ?? 0,
            status.ReadyReplicas ?? 0,
            status.AvailableReplicas ?? 0)
        {
            Conditions = [.. (status.Conditions ?? []).Select(c => new KubernetesCondition(c.Type, c.Status, c.Reason, c.Message))],
            Image = deployment.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image,
            ReleaseId = template?.Annotations?.TryGetValue(KubernetesNames.ReleaseAnnotation, out var release) == true ? release : null,
            Revision = Revision(deployment.Metadata),
        };
    }

    public async Task<IReadOnlyList<KubernetesPod>> ListPodsAsync(string labelSelector, CancellationToken cancellationToken)
    {
        var pods = await CallAsync($"list pods {labelSelector}", ct => _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken);
        return [.. pods.Items.Select(MapPod).OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    internal static KubernetesPod MapPod(V1Pod pod)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var waiting = statuses.Select(s => s.State?.Waiting).FirstOrDefault(w => w is not null);
        return new KubernetesPod(
            pod.Metadata.Name,
            pod.Status?.Phase ?? "Unknown",
            pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            statuses.Sum(s => s.RestartCount),
            waiting?.Reason,
            waiting?.Message)
        {
            Labels = pod.Metadata.Labels is { } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : new Dictionary<string, string>(),
            LastTerminationReason = statuses.Select(s => s.LastState?.Terminated?.Reason).FirstOrDefault(r => r is not null),
        };
    }

    public async Task<IReadOnlyList<string>> PodLogsAsync(string pod, int tailLines, TimeSpan? since, CancellationToken cancellationToken)
    {
        var sinceSeconds = since is { } s ? (int?)Math.Max(1, (int)Math.Ceiling(s.TotalSeconds)) : null;
        try
        {
            await using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(pod, _namespace, tailLines: tailLines, sinceSeconds: sinceSeconds, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            var text = await reader.ReadToEndAsync(cancellationToken);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            // The container has not started (400) or the pod is gone (404): there is no log to show.
            return [];
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    public async Task<IReadOnlyList<KubernetesEvent>> EventsAsync(string objectName, CancellationToken cancellationToken)
    {
        var events = await CallAsync(
            $"list events of {objectName}", ct => _client.CoreV1.ListNamespacedEventAsync(_namespace, fieldSelector: $"involvedObject.name={objectName}", cancellationToken: ct), cancellationToken);
        return [.. events.Items
            .OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.FirstTimestamp ?? DateTime.MinValue)
            .Select(e => new KubernetesEvent(e.Type ?? "Normal", e.Reason ?? string.Empty, e.Message ?? string.Empty, e.Count ?? 1))];
    }

    public async Task<IReadOnlyDictionary<string, string>?> GetServiceSelectorAsync(string name, CancellationToken cancellationToken)
    {
        var service = await ReadOrNullAsync($"read Service {name}", ct => _client.CoreV1.ReadNamespacedServiceAsync(name, _namespace, cancellationToken: ct), cancellationToken);
        return service is null ? null : new Dictionary<string, string>(service.Spec?.Selector ?? new Dictionary<string, string>(), StringComparer.Ordinal);
    }

    public Task ScaleAsync(string name, int replicas, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(string.Create(CultureInfo.InvariantCulture, $"{{\"spec\":{{\"replicas\":{replicas}}}}}"), V1Patch.PatchType.MergePatch);
        return CallAsync($"scale Deployment {name}", ct => _client.AppsV1.PatchNamespacedDeploymentScaleAsync(patch, name, _namespace, fieldManager: KubernetesNames.FieldManager, cancellationToken: ct), cancellationToken);
    }

    public Task RestartAsync(string name, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var stamp = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var patch = new V1Patch($"{{\"spec\":{{\"template\":{{\"metadata\":{{\"annotations\":{{\"kubectl.kubernetes.io/restartedAt\":\"{stamp}\"}}}}}}}}}}", V1Patch.PatchType.StrategicMergePatch);
        return CallAsync($"restart Deployment {name}", ct => _client.AppsV1.PatchNamespacedDeploymentAsync(patch, name, _namespace, fieldManager: KubernetesNames.FieldManager, cancellationToken: ct), cancellationToken);
    }

    public async Task<IReadOnlyList<KubernetesRevision>> RevisionsAsync(string deployment, CancellationToken cancellationToken)
    {
        return [.. (await ReplicaSetsAsync(deployment, cancellationToken)).Select(r => r.Revision)];
    }

    private async Task<List<(KubernetesRevision Revision, V1ReplicaSet ReplicaSet)>> ReplicaSetsAsync(string deployment, CancellationToken cancellationToken)
    {
        var owner = await ReadOrNullAsync($"read Deployment {deployment}", ct => _client.AppsV1.ReadNamespacedDeploymentAsync(deployment, _namespace, cancellationToken: ct), cancellationToken);
        if (owner?.Spec?.Selector?.MatchLabels is not { } labels)
        {
            return [];
        }

        var sets = await CallAsync(
            $"list ReplicaSets of {deployment}",
            ct => _client.AppsV1.ListNamespacedReplicaSetAsync(_namespace, labelSelector: KubernetesNames.Selector(labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)), cancellationToken: ct),
            cancellationToken);
        return [.. sets.Items
            .Where(r => r.Metadata.OwnerReferences?.Any(o => o.Kind == "Deployment" && (o.Uid == owner.Metadata.Uid || o.Name == deployment)) == true)
            .Select(r =>
            {
                var annotations = r.Spec?.Template?.Metadata?.Annotations;
                var revision = new KubernetesRevision(
                    Revision(r.Metadata) ?? 0,
                    r.Metadata.Name,
                    r.Spec?.Template?.Spec?.Containers?.FirstOrDefault()?.Image,
                    annotations?.TryGetValue(KubernetesNames.ReleaseAnnotation, out var release) == true ? release : null,
                    annotations?.TryGetValue(KubernetesNames.CommitAnnotation, out var commit) == true ? commit : null);
                return (revision, r);
            })
            .OrderByDescending(r => r.revision.Number)];
    }

    public async Task RollbackAsync(string deployment, KubernetesRevision revision, CancellationToken cancellationToken)
    {
        // As `kubectl rollout undo`: the revision's pod template goes back on the Deployment (without the ReplicaSet's
        // pod-template-hash), so the controller scales that ReplicaSet up again. It is a server-side apply by DeployMind's
        // field manager like every other change, so the next deploy does not conflict with it.
        var sets = await ReplicaSetsAsync(deployment, cancellationToken);
        var (_, replicaSet) = sets.FirstOrDefault(s => s.Revision.Number == revision.Number);
        if (replicaSet?.Spec?.Template is not { } template)
        {
            throw new DeployMindException(string.Create(CultureInfo.InvariantCulture, $"Revision {revision.Number} of {deployment} is gone from {Display} (its ReplicaSet was deleted); deploy that release again."));
        }

        template.Metadata?.Labels?.Remove("pod-template-hash");
        var current = await ReadOrNullAsync($"read Deployment {deployment}", ct => _client.AppsV1.ReadNamespacedDeploymentAsync(deployment, _namespace, cancellationToken: ct), cancellationToken)
            ?? throw new DeployMindException($"The Deployment {deployment} is gone from {Display}; there is nothing to roll back.");
        var applied = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = deployment, NamespaceProperty = _namespace, Labels = current.Metadata.Labels },
            Spec = new V1DeploymentSpec
            {
                Selector = current.Spec.Selector,
                Strategy = current.Spec.Strategy,
                ProgressDeadlineSeconds = current.Spec.ProgressDeadlineSeconds,
                RevisionHistoryLimit = current.Spec.RevisionHistoryLimit,
                Template = template,
            },
        };
        await ApplyObjectAsync(applied, cancellationToken);
    }

    public async Task DeleteDeploymentAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.AppsV1.DeleteNamespacedDeploymentAsync(name, _namespace, propagationPolicy: "Background", cancellationToken: cancellationToken);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already: what was wanted.
        }
        catch (HttpOperationException ex)
        {
            throw Refused($"delete Deployment {name}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    public async Task<string> ServerVersionAsync(CancellationToken cancellationToken)
    {
        var version = await CallAsync("read the server version", ct => _client.Version.GetCodeAsync(ct), cancellationToken);
        return version.GitVersion;
    }

    public async Task<bool> CanAsync(string verb, string group, string resource, string? subresource, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SelfSubjectAccessReview",
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes { NamespaceProperty = _namespace, Verb = verb, Group = group, Resource = resource, Subresource = subresource },
            },
        };
        var answer = await CallAsync($"review access to {verb} {resource}", ct => _client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: ct), cancellationToken);
        return answer.Status?.Allowed == true;
    }

    private static long? Revision(V1ObjectMeta metadata) =>
        metadata.Annotations?.TryGetValue(KubernetesNames.RevisionAnnotation, out var text) == true && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;
}
