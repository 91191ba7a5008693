using System.Diagnostics.CodeAnalysis;

namespace DeployMind.Infrastructure.GitHub;

/// <summary>A GitHub repository, as the API addresses it.</summary>
/// <param name="Owner">The user or organisation.</param>
/// <param name="Name">The repository's name (without <c>.git</c>).</param>
internal sealed record GitHubRepository(string Owner, string Name)
{
    public override string ToString() => $"{Owner}/{Name}";

    /// <summary>
    /// Reads <c>owner/name</c>, <c>https://github.com/owner/name(.git)</c>, <c>git@github.com:owner/name.git</c>,
    /// <c>ssh://git@github.com/owner/name.git</c>, or any of those on one of <paramref name="hosts"/> (a GitHub Enterprise
    /// server). Anything else (a local path, another forge) is not a GitHub repository.
    /// </summary>
    public static bool TryParse(string? repository, IReadOnlyCollection<string> hosts, [NotNullWhen(true)] out GitHubRepository? result)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        result = null;
        var text = repository?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string path;
        var scp = text.IndexOf(':', StringComparison.Ordinal);
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("https" or "http" or "ssh" or "git")
                || !IsKnownHost(uri.Host, hosts))
            {
                return false;
            }

            path = uri.AbsolutePath;
        }
        else if (scp > 0 && text.IndexOf('@', StringComparison.Ordinal) is var at and > 0 && at < scp)
        {
            // scp-like: git@github.com:owner/name.git
            if (!IsKnownHost(text[(at + 1)..scp], hosts))
            {
                return false;
            }

            path = text[(scp + 1)..];
        }
        else if (scp < 0 && !text.StartsWith('.') && !text.StartsWith('/') && !text.StartsWith('~'))
        {
            path = text;
        }
        else
        {
            return false;
        }

        var parts = path.Trim('/').Split('/');
        if (parts.Length != 2)
        {
            return false;
        }

        var owner = parts[0];
        var name = parts[1].EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? parts[1][..^4] : parts[1];
        if (!IsOwner(owner) || !IsName(name))
        {
            return false;
        }

        result = new GitHubRepository(owner, name);
        return true;
    }

    /// <summary>The hosts whose URLs name GitHub repositories: github.com, and the configured API's host (without a leading <c>api.</c>).</summary>
    public static IReadOnlyCollection<string> HostsFor(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "github.com", apiUrl.Host };
        if (apiUrl.Host.StartsWith("api.", StringComparison.OrdinalIgnoreCase))
        {
            hosts.Add(apiUrl.Host[4..]);
        }

        return hosts;
    }

    private static bool IsKnownHost(string host, IReadOnlyCollection<string> hosts) =>
        hosts.Contains(host, StringComparer.OrdinalIgnoreCase) || hosts.Contains("www." + host, StringComparer.OrdinalIgnoreCase)
        || (host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) && hosts.Contains(host[4..], StringComparer.OrdinalIgnoreCase));

    // GitHub: owners are letters, digits and hyphens (not first; Enterprise managed users also '_'); names also allow '.' and '_' (not "." or "..").
    private static bool IsOwner(string owner) =>
        owner.Length is > 0 and <= 39 && !owner.StartsWith('-') && owner.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool IsName(string name) =>
        name.Length is > 0 and <= 100 && name is not ("." or "..") && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
