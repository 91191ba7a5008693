using System.Net;
using System.Text;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>
/// Release Secrets: created (never applied: an immutable object is made once), compared when one exists, deleted; and the
/// Secrets an app's pod templates read. Errors of a Secret's writes carry no inner exception: the client's
/// <see cref="HttpOperationException"/> holds the request, whose body has the values.
/// </summary>
internal sealed partial class KubernetesCluster
{
    public async Task CreateSecretAsync(KubernetesReleaseSecret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var body = ToV1Secret(secret);
        if (await TryCreateSecretAsync(secret, body, cancellationToken))
        {
            return;
        }

        // It exists: the same release deployed again (a retried job), or somebody else's object of that name.
        var existing = await ReadOrNullAsync($"read Secret {secret.Name}", ct => _client.CoreV1.ReadNamespacedSecretAsync(secret.Name, _namespace, cancellationToken: ct), cancellationToken);
        if (existing is not null && !IsReleaseSecretOf(existing, secret.App))
        {
            throw new KubernetesConflictException(
                $"A Secret {secret.Name} exists in {Display} and is not DeployMind's Secret of {secret.App} (labels {KubernetesNames.ReleaseSecretSelector(secret.App)}); "
                + "DeployMind leaves it alone: rename or delete it, then deploy again.");
        }

        if (existing is not null && SameData(existing, body))
        {
            return;
        }

        // DeployMind's, with other values: an immutable Secret cannot change, so it is made again.
        if (existing is not null)
        {
            await DeleteAsync(KubernetesObjectKind.Secret, secret.Name, cancellationToken);
        }

        if (!await TryCreateSecretAsync(secret, body, cancellationToken))
        {
            throw new DeployMindException($"Creating the Secret {secret.Name} in {Display} failed: it was made again by someone else meanwhile; deploy again.");
        }
    }

    /// <summary>true when created, false when one of that name exists (409 AlreadyExists).</summary>
    private async Task<bool> TryCreateSecretAsync(KubernetesReleaseSecret secret, V1Secret body, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(body, _namespace, fieldManager: KubernetesNames.FieldManager, cancellationToken: cancellationToken);
            return true;
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return false;
        }
        catch (HttpOperationException ex)
        {
            var refused = Refused($"create Secret {secret.Name}", ex);
            throw new DeployMindException($"Creating the Secret {secret.Name} in {Display} failed: {Redact(refused.Message, secret)}");
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
    }

    internal static V1Secret ToV1Secret(KubernetesReleaseSecret secret) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Type = "Opaque",
        Immutable = true,
        Metadata = new V1ObjectMeta
        {
            Name = secret.Name,
            Labels = secret.Labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [KubernetesNames.ReleaseAnnotation] = secret.ReleaseId },
        },
        Data = secret.Data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value), StringComparer.Ordinal),
    };

    private static bool IsReleaseSecretOf(V1Secret secret, string app)
    {
        var labels = secret.Metadata?.Labels;
        return labels is not null
            && labels.TryGetValue(KubernetesNames.ManagedByLabel, out var manager) && manager == KubernetesNames.ManagedBy
            && labels.TryGetValue(KubernetesNames.InstanceLabel, out var instance) && instance == app
            && labels.TryGetValue(KubernetesNames.ComponentLabel, out var component) && component == KubernetesNames.ReleaseEnvComponent;
    }

    private static bool SameData(V1Secret existing, V1Secret wanted)
    {
        var have = existing.Data ?? new Dictionary<string, byte[]>();
        var want = wanted.Data ?? new Dictionary<string, byte[]>();
        return existing.Type == wanted.Type && existing.Immutable == true && have.Count == want.Count
            && want.All(kv => have.TryGetValue(kv.Key, out var value) && value.AsSpan().SequenceEqual(kv.Value));
    }

    /// <summary>An API message with the Secret's values (as text and as the API's base64) masked, should it ever quote them.</summary>
    private static string Redact(string message, KubernetesReleaseSecret secret)
    {
        foreach (var value in secret.Data.Values.Where(v => v.Length > 0).OrderByDescending(v => v.Length))
        {
            message = message.Replace(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)), "***", StringComparison.Ordinal).Replace(value, "***", StringComparison.Ordinal);
        }

        return message;
    }

    public async Task<IReadOnlySet<string>> SecretsInUseAsync(string app, CancellationToken cancellationToken)
    {
        var selector = $"{KubernetesNames.InstanceLabel}={app}";
        var deployments = await CallAsync($"list Deployments {selector}", ct => _client.AppsV1.ListNamespacedDeploymentAsync(_namespace, labelSelector: selector, cancellationToken: ct), cancellationToken);
        var replicaSets = await CallAsync($"list ReplicaSets {selector}", ct => _client.AppsV1.ListNamespacedReplicaSetAsync(_namespace, labelSelector: selector, cancellationToken: ct), cancellationToken);
        var templates = deployments.Items.Select(d => d.Spec?.Template?.Spec).Concat(replicaSets.Items.Select(r => r.Spec?.Template?.Spec));
        return templates.SelectMany(SecretsOf).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The Secrets a pod template reads: envFrom, env valueFrom and volumes, of every container.</summary>
    internal static IEnumerable<string> SecretsOf(V1PodSpec? spec)
    {
        if (spec is null)
        {
            yield break;
        }

        foreach (var container in (spec.Containers ?? []).Concat(spec.InitContainers ?? []))
        {
            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.SecretRef?.Name is { } name)
                {
                    yield return name;
                }
            }

            foreach (var variable in container.Env ?? [])
            {
                if (variable.ValueFrom?.SecretKeyRef?.Name is { } name)
                {
                    yield return name;
                }
            }
        }

        foreach (var volume in spec.Volumes ?? [])
        {
            if (volume.Secret?.SecretName is { } name)
            {
                yield return name;
            }
        }
    }
}
