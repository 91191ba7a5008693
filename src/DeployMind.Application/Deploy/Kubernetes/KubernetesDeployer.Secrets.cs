using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Kubernetes;

public sealed partial class KubernetesDeployer
{
    /// <summary>
    /// The release's Secret, before any Deployment reads it: created from the resolved values of <c>env.secret</c> (the
    /// request's <see cref="ReleaseSpec.Environment"/>, filled by the deploy stage). A request without them (a rollback
    /// that deploys a recorded release again, which looks nothing up) reads the Secret that release was deployed with.
    /// Only names reach the observer and the exceptions; values go to the cluster alone.
    /// </summary>
    /// <exception cref="DeployMindException">The Secret could not be created, or the release's Secret is gone; nothing else changed.</exception>
    private static async Task ReleaseSecretAsync(IKubernetesCluster cluster, DeployRequest request, KubernetesWorkload workload, IDeployObserver observer, CancellationToken cancellationToken)
    {
        if (workload.ReleaseSecret is not { } name)
        {
            return;
        }

        var names = workload.Settings.Secrets;
        var values = request.Release.Environment;
        if (names.All(values.ContainsKey))
        {
            observer.Step(cluster.Display, $"creating the Secret {name} for release {workload.ReleaseId} (env.secret: {string.Join(", ", names)})");
            var data = names.ToDictionary(n => n, n => values[n], StringComparer.Ordinal);
            await cluster.CreateSecretAsync(new KubernetesReleaseSecret(name, workload.App, workload.ReleaseId, data), cancellationToken);
            return;
        }

        var kept = await cluster.ListAsync(KubernetesObjectKind.Secret, KubernetesNames.ReleaseSecretSelector(workload.App), cancellationToken);
        if (!kept.Contains(name, StringComparer.Ordinal))
        {
            throw new DeployMindException(
                $"The Secret {name} with the env.secret values of release {workload.ReleaseId} is gone from {cluster.Display} (it is deleted once no revision of {workload.App} reads it); "
                + "deploy that commit again, so that its secrets are looked up anew.");
        }

        observer.Step(cluster.Display, $"release {workload.ReleaseId} reads its Secret {name}, kept since it was deployed");
    }

    /// <summary>
    /// After a deploy, the app's release Secrets that nothing reads any more are deleted: a release's Secret stays as long as
    /// a Deployment or a ReplicaSet of the app (a revision a rollback can go back to; the controller keeps
    /// <c>revisionHistoryLimit</c> of them) names it. A failure to clean up is reported, never a failed deploy.
    /// </summary>
    private static async Task PruneSecretsAsync(IKubernetesCluster cluster, KubernetesWorkload workload, IDeployObserver observer, CancellationToken cancellationToken)
    {
        if (workload.ReleaseSecret is null)
        {
            return;
        }

        try
        {
            var existing = await cluster.ListAsync(KubernetesObjectKind.Secret, KubernetesNames.ReleaseSecretSelector(workload.App), cancellationToken);
            var inUse = await cluster.SecretsInUseAsync(workload.App, cancellationToken);
            foreach (var stale in StaleSecrets(existing, inUse))
            {
                observer.Step(cluster.Display, $"deleting the Secret {stale}: no revision of {workload.App} reads it any more");
                await cluster.DeleteAsync(KubernetesObjectKind.Secret, stale, cancellationToken);
            }
        }
        catch (DeployMindException ex)
        {
            observer.Step(cluster.Display, $"the Secrets of earlier releases were not cleaned up: {ex.Message}");
        }
    }

    /// <summary>The release Secrets of <paramref name="existing"/> that no pod template in <paramref name="inUse"/> reads, sorted.</summary>
    internal static IReadOnlyList<string> StaleSecrets(IEnumerable<string> existing, IReadOnlySet<string> inUse) =>
        [.. existing.Where(name => !inUse.Contains(name)).Order(StringComparer.Ordinal)];
}
