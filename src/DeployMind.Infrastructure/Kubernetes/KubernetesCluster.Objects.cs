using System.Net;
using DeployMind.Application.Deploy.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>Objects by kind: listed by label selector (names only) and deleted, for release Secrets and app removal.</summary>
internal sealed partial class KubernetesCluster
{
    public async Task<IReadOnlyList<string>> ListAsync(KubernetesObjectKind kind, string labelSelector, CancellationToken cancellationToken)
    {
        var what = $"list {kind}s {labelSelector}";
        IEnumerable<V1ObjectMeta> items = kind switch
        {
            KubernetesObjectKind.Deployment => (await CallAsync(what, ct => _client.AppsV1.ListNamespacedDeploymentAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),
            KubernetesObjectKind.Service => (await CallAsync(what, ct => _client.CoreV1.ListNamespacedServiceAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),
            KubernetesObjectKind.ConfigMap => (await CallAsync(what, ct => _client.CoreV1.ListNamespacedConfigMapAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),
            KubernetesObjectKind.Autoscaler => (await CallAsync(what, ct => _client.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),
            KubernetesObjectKind.DisruptionBudget => (await CallAsync(what, ct => _client.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),

            // The list has the values; only the names leave this method.
            KubernetesObjectKind.Secret => (await CallAsync(what, ct => _client.CoreV1.ListNamespacedSecretAsync(_namespace, labelSelector: labelSelector, cancellationToken: ct), cancellationToken)).Items.Select(i => i.Metadata),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind DeployMind makes"),
        };
        return [.. items.Select(m => m.Name).Order(StringComparer.Ordinal)];
    }

    public async Task DeleteAsync(KubernetesObjectKind kind, string name, CancellationToken cancellationToken)
    {
        if (kind == KubernetesObjectKind.Deployment)
        {
            await DeleteDeploymentAsync(name, cancellationToken);
            return;
        }

        const string Background = "Background";
        try
        {
            switch (kind)
            {
                case KubernetesObjectKind.Service:
                    await _client.CoreV1.DeleteNamespacedServiceAsync(name, _namespace, propagationPolicy: Background, cancellationToken: cancellationToken);
                    break;
                case KubernetesObjectKind.ConfigMap:
                    await _client.CoreV1.DeleteNamespacedConfigMapAsync(name, _namespace, propagationPolicy: Background, cancellationToken: cancellationToken);
                    break;
                case KubernetesObjectKind.Autoscaler:
                    await _client.AutoscalingV2.DeleteNamespacedHorizontalPodAutoscalerAsync(name, _namespace, propagationPolicy: Background, cancellationToken: cancellationToken);
                    break;
                case KubernetesObjectKind.DisruptionBudget:
                    await _client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(name, _namespace, propagationPolicy: Background, cancellationToken: cancellationToken);
                    break;
                case KubernetesObjectKind.Secret:
                    await _client.CoreV1.DeleteNamespacedSecretAsync(name, _namespace, propagationPolicy: Background, cancellationToken: cancellationToken);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a kind DeployMind makes");
            }
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Gone already: what was wanted.
        }
        catch (HttpOperationException ex)
        {
            throw Refused($"delete {kind} {name}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }
}
