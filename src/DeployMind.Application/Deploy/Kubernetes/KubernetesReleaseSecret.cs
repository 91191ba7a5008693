namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>
/// A release's Secret as DeployMind creates it: type Opaque, immutable, labelled as the app's and DeployMind's, its data
/// the resolved values of <c>env.secret</c>. <see cref="ToString"/> names the keys only, never a value.
/// </summary>
/// <param name="Name">The Secret's name (<see cref="KubernetesNames.ReleaseSecret"/>).</param>
/// <param name="App">The app.</param>
/// <param name="ReleaseId">The release it belongs to.</param>
/// <param name="Data">Variable name → value (plain text; the adapter encodes it as the API stores it).</param>
public sealed record KubernetesReleaseSecret(string Name, string App, string ReleaseId, IReadOnlyDictionary<string, string> Data)
{
    /// <summary>The Secret's labels: the app's (<c>app.kubernetes.io/*</c>, <c>managed-by: deploymind</c>), its component and release.</summary>
    public IReadOnlyDictionary<string, string> Labels => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [KubernetesNames.NameLabel] = App,
        [KubernetesNames.InstanceLabel] = App,
        [KubernetesNames.PartOfLabel] = App,
        [KubernetesNames.ManagedByLabel] = KubernetesNames.ManagedBy,
        [KubernetesNames.ComponentLabel] = KubernetesNames.ReleaseEnvComponent,
        [KubernetesNames.ReleaseLabel] = KubernetesNames.LabelValue(ReleaseId),
    };

    /// <summary>"Secret shop-r1-env (DATABASE_URL, STRIPE_KEY)": the keys, never the values (a record would print them all).</summary>
    public override string ToString() => $"Secret {Name} ({string.Join(", ", Data.Keys.Order(StringComparer.Ordinal))})";
}
