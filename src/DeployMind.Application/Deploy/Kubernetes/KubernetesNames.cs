using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>Names and labels DeployMind gives an app's objects (the <c>app.kubernetes.io/*</c> conventions plus its own).</summary>
public static class KubernetesNames
{
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string VersionLabel = "app.kubernetes.io/version";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string PartOfLabel = "app.kubernetes.io/part-of";
    public const string TrackLabel = "deploymind.dev/track";
    public const string ColourLabel = "deploymind.dev/colour";
    public const string ReleaseLabel = "deploymind.dev/release";
    public const string ReleaseAnnotation = "deploymind.dev/release";
    public const string ImageAnnotation = "deploymind.dev/image";
    public const string CommitAnnotation = "deploymind.dev/commit";
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string FieldManager = "deploymind";

    /// <summary>The <c>app.kubernetes.io/managed-by</c> of every object DeployMind makes.</summary>
    public const string ManagedBy = "deploymind";

    /// <summary>The <c>app.kubernetes.io/component</c> of a release's Secret (its <c>env.secret</c> values).</summary>
    public const string ReleaseEnvComponent = "release-env";

    /// <summary>The longest name a Secret (a DNS subdomain) may have.</summary>
    public const int MaxObjectName = 253;

    /// <summary>The Deployment of a variant: "&lt;app&gt;", "&lt;app&gt;-canary", "&lt;app&gt;-blue", "&lt;app&gt;-green".</summary>
    public static string Deployment(string app, KubernetesVariant variant) => variant switch
    {
        KubernetesVariant.Canary => app + "-canary",
        KubernetesVariant.Blue => app + "-blue",
        KubernetesVariant.Green => app + "-green",
        _ => app,
    };

    /// <summary>The image as a cluster pulls it: "shop:1a2b" under "registry.example.com/team" is "registry.example.com/team/shop:1a2b"; no registry, the image as built.</summary>
    public static string PulledImage(string image, string? registry) =>
        registry is null || image.StartsWith(registry.TrimEnd('/') + "/", StringComparison.Ordinal) ? image : $"{registry.TrimEnd('/')}/{image}";

    /// <summary>The ConfigMap holding the non-secret environment.</summary>
    public static string ConfigMap(string app) => app + "-env";

    /// <summary>
    /// The Secret holding a release's <c>env.secret</c> values: "&lt;app&gt;-&lt;release&gt;-env". A release id that is not
    /// already lower-case letters, digits and '-' is written that way with a short hash of the exact id added (so "R1" and
    /// "r1" stay two Secrets), and one too long for a DNS subdomain (253 characters) is cut and hashed the same way.
    /// </summary>
    public static string ReleaseSecret(string app, string releaseId)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(releaseId);
        var builder = new StringBuilder(releaseId.Length);
        foreach (var c in releaseId)
        {
            builder.Append(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-' ? c : char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : '-');
        }

        var release = builder.ToString().Trim('-');
        const string Suffix = "-env";
        var room = MaxObjectName - app.Length - 1 - Suffix.Length;
        if (release == releaseId && release.Length > 0 && release.Length <= room)
        {
            return $"{app}-{release}{Suffix}";
        }

        var hash = "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(releaseId)))[..8];
        var left = Math.Max(0, room - hash.Length);
        release = release.Length > left ? release[..left].TrimEnd('-') : release;
        return release.Length == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{app}{hash}{Suffix}")
            : string.Create(CultureInfo.InvariantCulture, $"{app}-{release}{hash}{Suffix}");
    }

    /// <summary>The label selector of every release Secret DeployMind made for an app.</summary>
    public static string ReleaseSecretSelector(string app) =>
        $"{ComponentLabel}={ReleaseEnvComponent},{InstanceLabel}={app},{ManagedByLabel}={ManagedBy}";

    /// <summary>The label selector of every object DeployMind made for an app.</summary>
    public static string AppObjectsSelector(string app) => $"{InstanceLabel}={app},{ManagedByLabel}={ManagedBy}";

    /// <summary>The other colour.</summary>
    public static KubernetesVariant Other(KubernetesVariant colour) => colour == KubernetesVariant.Blue ? KubernetesVariant.Green : KubernetesVariant.Blue;

    /// <summary>"blue", "green", "canary", "stable".</summary>
    public static string Value(KubernetesVariant variant) => variant.ToString().ToLowerInvariant();

    /// <summary>The labels every object of the app carries and the Service selects by.</summary>
    public static SortedDictionary<string, string> AppSelector(string app) =>
        new(StringComparer.Ordinal) { [NameLabel] = app, [InstanceLabel] = app };

    /// <summary>The (immutable) selector of a variant's Deployment.</summary>
    public static SortedDictionary<string, string> DeploymentSelector(string app, KubernetesVariant variant)
    {
        var selector = AppSelector(app);
        if (variant is KubernetesVariant.Blue or KubernetesVariant.Green)
        {
            selector[ColourLabel] = Value(variant);
        }
        else
        {
            selector[TrackLabel] = Value(variant);
        }

        return selector;
    }

    /// <summary>The pods of a release: "app.kubernetes.io/instance=shop,deploymind.dev/release=...".</summary>
    public static string ReleaseSelector(string app, string releaseId) => $"{InstanceLabel}={app},{ReleaseLabel}={LabelValue(releaseId)}";

    /// <summary>A selector as Kubernetes writes it: "k=v,k2=v2".</summary>
    public static string Selector(IReadOnlyDictionary<string, string> labels) => string.Join(',', labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    /// <summary>A text made into a label value: at most 63 of [A-Za-z0-9-_.], starting and ending with a letter or digit.</summary>
    public static string LabelValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var value = builder.ToString();
        value = value.Length > 63 ? value[..63] : value;
        return value.Trim('-', '_', '.');
    }
}
