using System.Text.RegularExpressions;
using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Domains;

/// <summary>The public names an app is served at: checked, lower-cased and without a trailing dot.</summary>
public static partial class DomainNames
{
    /// <summary>
    /// <paramref name="names"/> as served: each a host name (letters, digits, '-', dots; no wildcard, which HTTP-01
    /// cannot prove), lower case, once.
    /// </summary>
    /// <exception cref="InvalidInputException">A name is not a host name; the message names <paramref name="key"/>.</exception>
    public static IReadOnlyList<string> Normalize(IEnumerable<string?> names, string key)
    {
        ArgumentNullException.ThrowIfNull(names);
        var result = new List<string>();
        foreach (var raw in names)
        {
            var name = raw?.Trim().TrimEnd('.').ToLowerInvariant() ?? string.Empty;
            if (name.Length is 0 or > 253 || !HostName().IsMatch(name))
            {
                throw new InvalidInputException(
                    $"{key}: '{raw}' is not a domain name (letters, digits, '-' and dots, e.g. shop.example.com; wildcards cannot be proved over HTTP-01).");
            }

            if (!result.Contains(name, StringComparer.Ordinal))
            {
                result.Add(name);
            }
        }

        return result;
    }

    /// <summary>
    /// The domains of <paramref name="environment"/> of <paramref name="app"/>: its own <c>domains</c>, else the app's;
    /// a pull request's preview is served at its own name (<paramref name="previewName"/>) when the environment has domains.
    /// </summary>
    public static IReadOnlyList<string> Of(AppOptions app, string environment, string? previewName)
    {
        ArgumentNullException.ThrowIfNull(app);
        var configured = app.Environments.TryGetValue(environment, out var settings) && settings.Domains is { } own
            ? (Names: own, Key: $"environments.{environment}.domains")
            : (Names: app.Domains, Key: "domains");
        var domains = Normalize(configured.Names, configured.Key);
        return previewName is not null && domains.Count > 0 ? Normalize([previewName], "previews.domain") : domains;
    }

    /// <summary>The TLS settings of <paramref name="environment"/>: its own <c>tls</c>, else the app's; null for HTTP only.</summary>
    public static Hosts.SiteTls? TlsOf(AppOptions app, string environment)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Environments.TryGetValue(environment, out var settings) && settings.Tls is { } own
            ? own.ToSettings($"environments.{environment}.tls")
            : app.Tls.ToSettings("tls");
    }

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
