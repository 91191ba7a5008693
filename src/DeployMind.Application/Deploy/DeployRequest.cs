using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Deploy;

/// <summary>A release to deploy: which image, under which name and id.</summary>
/// <param name="App">App name (names containers, the nginx site and the log).</param>
/// <param name="ReleaseId">Unique, sortable id of this release (e.g. "r20261126-2301-3f2a1bc").</param>
/// <param name="Image">The image to run (already on the host or pullable there).</param>
/// <param name="Commit">The commit it was built from, when known.</param>
public sealed record ReleaseSpec(string App, string ReleaseId, string Image, string? Commit)
{
    /// <summary>Environment variables for the app (values are kept out of logs).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>Everything a strategy needs to deploy a release.</summary>
/// <param name="Release">What to deploy.</param>
/// <param name="Hosts">Where, in order.</param>
/// <param name="ListenPort">The port nginx serves the app on, on every host.</param>
/// <param name="Health">How the new release proves it is healthy.</param>
public sealed record DeployRequest(ReleaseSpec Release, IReadOnlyList<DeployHost> Hosts, int ListenPort, HealthPolicy Health)
{
    public CanaryPolicy Canary { get; init; } = CanaryPolicy.Default;

    /// <summary>Blue-green: how long the old colour stays warm and the new one is watched after the switch.</summary>
    public TimeSpan ObservationWindow { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Rolling: how many hosts switch at once.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Time for in-flight requests to finish on the old container after traffic left it.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How the release's containers run on a Docker host (init, stop timeout, restart policy, limits, volumes).</summary>
    public ContainerSettings Container { get; init; } = ContainerSettings.Default;

    /// <summary>The containers a release runs on each Docker host: web replicas and the other process types.</summary>
    public ReleaseProcesses Processes { get; init; } = ReleaseProcesses.WebOnly;

    /// <summary>Releases kept on each host (stopped containers and their images) for fast rollbacks.</summary>
    public int KeepReleases { get; init; } = 3;

    /// <summary>
    /// true: after the switch the previous releases keep running and the outcome's <see cref="DeployOutcome.Switch"/> is
    /// pending — the caller retires it once the new release is verified, or reverts it (traffic straight back, no restart).
    /// false (rollbacks, direct callers): they are retired as soon as every host has switched.
    /// </summary>
    public bool DeferRetirement { get; init; }

    /// <summary>The nginx server name of the app's site (a preview's <c>pr-7.preview.example.com</c>); null: every name on the port.</summary>
    public string? ServerName { get; init; }

    /// <summary>The public names the app is also served at on the hosts' shared HTTP/HTTPS ports; empty: its port only.</summary>
    public IReadOnlyList<string> Domains { get; init; } = [];

    /// <summary>HTTPS for <see cref="Domains"/>; null: HTTP only.</summary>
    public SiteTls? Tls { get; init; }

    /// <summary>
    /// Rollbacks on Docker hosts: the app's variables for a release that must start in a new container (its kept container
    /// is gone), resolved from the app's configuration only when that is so — a rollback that starts kept containers again
    /// reads no secret store. Null: the release's own <see cref="ReleaseSpec.Environment"/> (a pipeline's rollback of its
    /// own deploy, whose variables are resolved already).
    /// </summary>
    public Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>? FreshVariables { get; init; }

    /// <summary>What the records say of the app's releases: a rollback goes back to the last one that succeeded.</summary>
    public ReleaseHistory History { get; init; } = ReleaseHistory.Unknown;

    /// <summary>How the image reaches the hosts: pushed to a registry and pulled, or streamed to the hosts that lack it.</summary>
    public Delivery.ImageDeliverySettings Delivery { get; init; } = Deploy.Delivery.ImageDeliverySettings.Default;

    /// <summary>The Kubernetes target when the environment deploys to a cluster (then <see cref="Hosts"/> is empty), else null.</summary>
    public Kubernetes.KubernetesSettings? Kubernetes { get; init; }

    /// <summary>The kind of target the request deploys to: a Kubernetes namespace when <see cref="Kubernetes"/> is set, else Docker hosts.</summary>
    public Targets.DeployTargetKind TargetKind => Kubernetes is null ? Targets.DeployTargetKind.Docker : Targets.DeployTargetKind.Kubernetes;
}
