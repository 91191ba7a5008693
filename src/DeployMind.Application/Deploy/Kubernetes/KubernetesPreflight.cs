using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>
/// What <c>deploymind validate</c> checks of a Kubernetes target: the API server answers (and its version), and the
/// identity may do what deploys need in the namespace (SelfSubjectAccessReviews); every gap is listed with the Role that
/// closes it.
/// </summary>
public sealed class KubernetesPreflight
{
    /// <summary>One access deploys need, and what for.</summary>
    public sealed record Access(string Verb, string Group, string Resource, string? Subresource, string Why)
    {
        /// <summary>"patch deployments.apps", "get pods/log".</summary>
        public string Display => $"{Verb} {Resource}{(Subresource is null ? string.Empty : "/" + Subresource)}{(Group.Length == 0 ? string.Empty : "." + Group)}";
    }

    /// <summary>Every access a deploy, canary, blue-green or rollback uses.</summary>
    public static IReadOnlyList<Access> Required { get; } =
    [
        new("get", "apps", "deployments", null, "read rollouts"),
        new("create", "apps", "deployments", null, "create Deployments (server-side apply)"),
        new("patch", "apps", "deployments", null, "apply and roll back Deployments"),
        new("delete", "apps", "deployments", null, "remove canaries"),
        new("patch", "apps", "deployments", "scale", "size canaries and colours"),
        new("list", "apps", "replicasets", null, "find revisions to roll back to"),
        new("list", string.Empty, "pods", null, "watch pods"),
        new("get", string.Empty, "pods", "log", "show a failing pod's logs"),
        new("list", string.Empty, "events", null, "show a failing rollout's events"),
        new("get", string.Empty, "services", null, "find the live colour"),
        new("patch", string.Empty, "services", null, "apply the Service and switch colours"),
        new("patch", string.Empty, "configmaps", null, "apply the environment's ConfigMap"),
        new("patch", "autoscaling", "horizontalpodautoscalers", null, "apply the autoscaler"),
        new("patch", "policy", "poddisruptionbudgets", null, "apply the disruption budget"),
    ];

    /// <summary>What a deploy with <c>env.secret</c> also does: each release's Secret, cleaned up once no revision reads it.</summary>
    public static IReadOnlyList<Access> ForReleaseSecrets { get; } =
    [
        new("create", string.Empty, "secrets", null, "create each release's Secret of env.secret"),
        new("get", string.Empty, "secrets", null, "compare a release's Secret that exists already"),
        new("list", string.Empty, "secrets", null, "find the Secrets of earlier releases"),
        new("delete", string.Empty, "secrets", null, "remove the Secrets no revision reads any more"),
        new("list", "apps", "deployments", null, "find which Secrets the app's revisions read"),
    ];

    private readonly IKubernetesClusterFactory _clusters;

    public KubernetesPreflight(IKubernetesClusterFactory clusters)
    {
        _clusters = clusters;
    }

    /// <summary>The checks of one environment's target, named "kubernetes: &lt;environment&gt; (&lt;context&gt;/&lt;namespace&gt;)".</summary>
    public async Task<IReadOnlyList<CheckResult>> CheckAsync(string environment, KubernetesSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = $"kubernetes: {environment} ({settings.Display})";
        IKubernetesCluster cluster;
        string version;
        try
        {
            cluster = _clusters.Connect(settings);
            version = await cluster.ServerVersionAsync(cancellationToken);
        }
        catch (DeployMindException ex)
        {
            return [new CheckResult(name, false, ex.Message)];
        }

        var results = new List<CheckResult> { new(name, true, $"API server reachable, version {version}") };
        IReadOnlyList<Access> required = settings.Secrets.Count > 0 ? [.. Required, .. ForReleaseSecrets] : Required;
        var gaps = new List<Access>();
        try
        {
            foreach (var access in required)
            {
                if (!await cluster.CanAsync(access.Verb, access.Group, access.Resource, access.Subresource, cancellationToken))
                {
                    gaps.Add(access);
                }
            }
        }
        catch (DeployMindException ex)
        {
            results.Add(new CheckResult($"{name}: access", false, $"SelfSubjectAccessReview failed: {ex.Message}"));
            return results;
        }

        results.Add(gaps.Count == 0
            ? new CheckResult($"{name}: access", true, $"may do all {required.Count} things deploys need in namespace {settings.Namespace}")
            : new CheckResult(
                $"{name}: access",
                false,
                $"missing in namespace {settings.Namespace}: {string.Join(", ", gaps.Select(g => $"{g.Display} ({g.Why})"))}. "
                + $"Grant them with a Role bound to this identity, e.g. `kubectl create role deploymind -n {settings.Namespace} --verb={string.Join(',', required.Select(a => a.Verb).Distinct())} "
                + $"--resource={string.Join(',', required.Select(a => a.Resource + (a.Subresource is null ? string.Empty : "/" + a.Subresource) + (a.Group.Length == 0 ? string.Empty : "." + a.Group)).Distinct())}` "
                + $"then `kubectl create rolebinding deploymind -n {settings.Namespace} --role=deploymind --user=<the identity>` (or --serviceaccount)."));
        return results;
    }
}
