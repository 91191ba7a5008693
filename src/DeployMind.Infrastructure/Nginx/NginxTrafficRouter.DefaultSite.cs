using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Hosts;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// The catch-all of the shared domain ports. Without one, nginx answers a request whose Host (or TLS server name) is
/// no app's domain with the first site listening on the port: another app, and its certificate. While any site serves
/// domains, every change of a site also writes <see cref="NginxLayout.DefaultSitePath"/> (and removes it once none
/// does), in the same tested swap: it is checked by the same <c>nginx -t</c>, loaded by the same reload, undone with the
/// site when nginx refuses either.
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    /// <summary>The first nginx with <c>ssl_reject_handshake</c>.</summary>
    private static readonly Version RejectHandshakeSince = new(1, 19, 4);

    private Version? _nginxVersion;
    private bool _versionRead;

    /// <summary>Why the catch-all is not written on this host (nginx refused it: another default server), once known.</summary>
    private string? _defaultRefused;

    /// <summary>
    /// What the catch-all file should hold once <paramref name="route"/> (null: removed) is the app's site: null when no
    /// site serves domains. A shared port that a site without domains listens on itself (an app's own port set to it)
    /// gets no catch-all, so that app keeps answering every name there as it did.
    /// </summary>
    private async Task<DefaultSitePlan> PlanDefaultSiteAsync(NginxLayout layout, string ownPath, RouteSpec? route, SiteFiles files, CancellationToken cancellationToken)
    {
        var path = layout.DefaultSitePath;
        var current = files.Default;
        var routes = new List<RouteSpec>();
        if (route is not null)
        {
            routes.Add(route);
        }

        foreach (var (site, text) in files.Sites)
        {
            var name = site[(site.LastIndexOf('/') + 1)..];
            if (!name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".acme.conf", StringComparison.Ordinal)
                || site == ownPath || site == path || !name.StartsWith(layout.SiteFilePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (NginxRouteComment.Parse(text) is { } other)
            {
                routes.Add(other);
            }
        }

        if (!routes.Any(r => r.Domains.Count > 0) || _defaultRefused is not null)
        {
            return new DefaultSitePlan(path, current, null);
        }

        var settings = _options.Domains ?? new NginxDomainOptions();
        int? http = routes.Any(r => r.Domains.Count == 0 && r.ListenPort == settings.HttpPort) ? null : settings.HttpPort;
        int? https = routes.Any(r => r.Domains.Count == 0 && r.ListenPort == settings.HttpsPort) ? null : settings.HttpsPort;
        if (https is not null && !await RejectsHandshakesAsync(layout, cancellationToken))
        {
            https = null;
        }

        return new DefaultSitePlan(path, current, http is null && https is null ? null : NginxConfigRenderer.RenderDefaultSite(settings.ListenAddress, http, https));
    }

    /// <summary>Whether this host's nginx has <c>ssl_reject_handshake</c> (1.19.4+); logs once, with what to do, when it has not.</summary>
    private async Task<bool> RejectsHandshakesAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        if (!_versionRead)
        {
            var result = await RunAsync(NginxCommands.Version(layout), cancellationToken);
            _nginxVersion = ParseVersion(result.StandardError + "\n" + result.StandardOutput);
            _versionRead = true;
            if (_nginxVersion is null || _nginxVersion < RejectHandshakeSince)
            {
                LogNoRejectHandshake(_nginxVersion?.ToString() ?? $"unknown (`{result.Command}` said: {(result.StandardError + result.StandardOutput).Trim()})", _runner.Name);
            }
        }

        return _nginxVersion is { } version && version >= RejectHandshakeSince;
    }

    /// <summary>The version in <c>nginx -v</c>'s "nginx version: nginx/1.22.1" (also openresty/…, whose numbers follow nginx's).</summary>
    internal static Version? ParseVersion(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = VersionLine().Match(text);
        return match.Success
            ? new Version(
                int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["minor"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["patch"].Value, CultureInfo.InvariantCulture))
            : null;
    }

    /// <summary>Writes (or removes) the catch-all as planned; true when the file changed (then <see cref="UndoDefaultSiteAsync"/> can put it back).</summary>
    private async Task<bool> ApplyDefaultSiteAsync(DefaultSitePlan plan)
    {
        if (plan.Current == plan.Desired)
        {
            return false;
        }

        if (plan.Desired is null)
        {
            (await RunAsync(NginxCommands.Remove(plan.Path), CancellationToken.None)).EnsureSuccess();
        }
        else
        {
            await WriteFileAsync(plan.Path, plan.Desired, CancellationToken.None);
        }

        return true;
    }

    private async Task UndoDefaultSiteAsync(DefaultSitePlan plan, bool changed)
    {
        if (!changed)
        {
            return;
        }

        if (plan.Current is null)
        {
            (await RunAsync(NginxCommands.Remove(plan.Path), CancellationToken.None)).EnsureSuccess();
        }
        else
        {
            await WriteFileAsync(plan.Path, plan.Current, CancellationToken.None);
        }
    }

    /// <summary>
    /// nginx refused the configuration with the new catch-all because another default server holds the shared port (an
    /// operator's own <c>default_server</c> in a shared conf.d): that server decides what unknown names get, so the
    /// catch-all is left out on this host from now on, with a warning. Any other refusal is the site's.
    /// </summary>
    private bool RefusedForAnotherDefault(DefaultSitePlan plan, bool changed, string errors)
    {
        if (!changed || plan.Desired is null || !errors.Contains("duplicate default server", StringComparison.Ordinal))
        {
            return false;
        }

        _defaultRefused = errors;
        LogDefaultRefused(errors, _runner.Name);
        return true;
    }

    /// <summary>The catch-all's file, what it holds now (null: absent) and what it should hold (null: absent).</summary>
    private sealed record DefaultSitePlan(string Path, string? Current, string? Desired);

    [GeneratedRegex(@"nginx version: [A-Za-z_-]+/(?<major>\d+)\.(?<minor>\d+)\.(?<patch>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLine();

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx on {Host} is version {Version}, not 1.19.4 or later, so it has no ssl_reject_handshake: the shared HTTPS port has no catch-all, so a TLS client naming a host that is no app's domain gets the first domain site's certificate (and that app). Upgrade nginx to 1.19.4 or later (Debian 12 has 1.22) and deploy again.")]
    private partial void LogNoRejectHandshake(string version, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "nginx on {Host} refused DeployMind's catch-all of the shared domain ports because another server is the default there; that server answers names that are no app's domain (make sure it serves no app). nginx said: {Errors}")]
    private partial void LogDefaultRefused(string errors, string host);
}
