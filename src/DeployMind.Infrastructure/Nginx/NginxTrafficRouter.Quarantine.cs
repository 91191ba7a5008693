using System.Globalization;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// One app's broken site never stops another app's deploys. A reload loads every site of the instance, so a site whose
/// listen port another process holds (it passes <c>nginx -t</c>, which binds nothing) makes every later reload fail.
/// Such a site is not live (nginx cannot listen where it says), so moving it aside changes nothing nginx serves.
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    private const string BrokenSuffix = ".broken";

    /// <summary>
    /// The site files that listen on a port nginx could not bind in <paramref name="failure"/>, the app's own
    /// (<paramref name="ownPath"/>) included.
    /// </summary>
    private async Task<IReadOnlyList<SiteBlocker>> FindBlockersAsync(NginxLayout layout, string ownPath, SwitchFailure failure)
    {
        var ports = NginxReloadErrors.BindFailures(failure.NginxErrors);
        if (ports.Count == 0)
        {
            return [];
        }

        var listing = await RunAsync(NginxCommands.List(layout.SitesDirectory), CancellationToken.None);
        if (!listing.Succeeded)
        {
            return [];
        }

        var blockers = new List<SiteBlocker>();
        foreach (var name in listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!name.EndsWith(".conf", StringComparison.Ordinal))
            {
                continue;
            }

            var path = $"{layout.SitesDirectory}/{name}";
            if (await ReadFileAsync(path, CancellationToken.None) is not { } text)
            {
                continue;
            }

            var blocked = NginxConfigRenderer.ListenPortsOf(text).Where(ports.Contains).Distinct().ToArray();
            if (blocked.Length > 0)
            {
                // In a shared conf.d only DeployMind's own files (deploymind-<app>.conf, with a route line) are ours to move.
                // The catch-all of the shared ports is ours too (it is written again by the next change of a domain site).
                var ours = name.StartsWith(layout.SiteFilePrefix, StringComparison.Ordinal) && (NginxRouteComment.Parse(text) is not null || path == layout.DefaultSitePath);
                blockers.Add(new SiteBlocker(path, blocked, ours, path == ownPath));
            }
        }

        return blockers;
    }

    /// <summary>
    /// Moves aside (<c>&lt;site&gt;.broken</c>) the other apps' sites that keep the instance from reloading, each
    /// replaced by its <c>.previous</c> version when that one does not listen on a blocked port. Nothing is moved when
    /// the app's own site is blocked, when a site that is not DeployMind's is, or when some blocked port has no site.
    /// </summary>
    private async Task<IReadOnlyList<QuarantinedSite>> QuarantineAsync(IReadOnlyList<SiteBlocker> blockers, SwitchFailure failure)
    {
        var ports = NginxReloadErrors.BindFailures(failure.NginxErrors);
        if (blockers.Count == 0 || blockers.Any(b => b.Own || !b.Ours) || !ports.All(p => blockers.Any(b => b.Ports.Contains(p))))
        {
            return [];
        }

        var quarantined = new List<QuarantinedSite>();
        foreach (var blocker in blockers)
        {
            var portList = string.Join(", ", blocker.Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));
            (await RunAsync(NginxCommands.Move(blocker.Path, blocker.Path + BrokenSuffix), CancellationToken.None)).EnsureSuccess();
            var previous = await ReadFileAsync(blocker.Path + PreviousSuffix, CancellationToken.None);
            var restored = previous is not null && !NginxConfigRenderer.ListenPortsOf(previous).Any(ports.Contains);
            if (restored)
            {
                (await RunAsync(NginxCommands.Copy(blocker.Path + PreviousSuffix, blocker.Path), CancellationToken.None)).EnsureSuccess();
            }

            var reason = $"its listen port {portList} is held by another process, so nginx could not load it and no reload of the instance succeeded"
                + (restored ? "; its previous version is back in place" : string.Empty);
            quarantined.Add(new QuarantinedSite(blocker.Path, reason));
        }

        return quarantined;
    }

    /// <summary>Puts quarantined sites back as they were (the retry did not help): the files on disk stay what nginx runs.</summary>
    private async Task UndoQuarantineAsync(IReadOnlyList<QuarantinedSite> quarantined)
    {
        foreach (var site in quarantined)
        {
            (await RunAsync(NginxCommands.Move(site.Path + BrokenSuffix, site.Path), CancellationToken.None)).EnsureSuccess();
        }
    }

    /// <summary>A site file listening on a port nginx could not bind.</summary>
    /// <param name="Path">The site file.</param>
    /// <param name="Ports">Its ports nginx could not bind.</param>
    /// <param name="Ours">Written by DeployMind (so it may be moved aside).</param>
    /// <param name="Own">The site of the app being switched.</param>
    private sealed record SiteBlocker(string Path, IReadOnlyList<int> Ports, bool Ours, bool Own);

    /// <summary>A site moved aside, and why.</summary>
    private sealed record QuarantinedSite(string Path, string Reason);
}
