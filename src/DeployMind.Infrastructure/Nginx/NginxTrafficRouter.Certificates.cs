using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Domains and certificates. A site with domains is also served by name on the host's shared HTTP/HTTPS ports
/// (<see cref="NginxDomainOptions"/>); its HTTPS server is rendered once its certificate is on the host. ACME
/// certificates come from certbot (commands as data, through the host's runner) proving each domain over HTTP-01: nginx
/// serves the webroot's <c>/.well-known/acme-challenge/</c> on every domain site, and on a temporary challenge-only site
/// for names no site serves yet. Every nginx change here holds the router's gate, is tested with <c>nginx -t</c> before
/// its reload, and leaves the other sites as they were.
/// </summary>
internal sealed partial class NginxTrafficRouter
{
    private const string ChallengePath = "/.well-known/acme-challenge/";

    private NginxLayout? _tlsLayout;

    /// <summary>The layout with its TLS paths expanded (the host's home is asked once, when they are relative to it).</summary>
    private async Task<NginxLayout> GetTlsLayoutAsync(CancellationToken cancellationToken)
    {
        if (_tlsLayout is not null)
        {
            return _tlsLayout;
        }

        var layout = await GetLayoutAsync(cancellationToken);
        if (layout.TlsPathsNeedHome)
        {
            layout = layout.WithTlsPaths((await RunAsync(NginxCommands.Home(), cancellationToken)).EnsureSuccess().StandardOutput.Trim());
        }

        return _tlsLayout = layout;
    }

    public async Task<CertificateInfo> EnsureCertificateAsync(string app, IReadOnlyList<string> domains, SiteTls tls, bool force, CancellationToken cancellationToken)
    {
        NginxRouteValidator.ValidateApp(app);
        NginxRouteValidator.ValidateDomains(app, domains);
        ArgumentNullException.ThrowIfNull(tls);
        if (domains.Count == 0)
        {
            throw new InvalidInputException($"App '{app}' has no domains to get a certificate for.");
        }

        var names = string.Join(", ", domains);
        var layout = await GetTlsLayoutAsync(cancellationToken);
        if (tls.Source == TlsSource.Files)
        {
            return await CheckOwnCertificateAsync(app, domains, tls, cancellationToken);
        }

        var account = tls.Acme ?? throw new InvalidInputException($"App '{app}': TLS from ACME needs an ACME account (tls.acme).");
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var path = layout.AcmeCertificatePath(app);
            var current = await ReadCertificateAsync(app, domains, TlsSource.Acme, path, cancellationToken);
            if (!force && current is { NotAfter: { } end, CoversDomains: true } && end - _time.GetUtcNow() > tls.RenewBefore)
            {
                return current;
            }

            // A renewal replaces files a site may already serve: the previous ones are kept until nginx accepts the new ones.
            var kept = current is not null && await KeepPreviousAsync(layout, app, cancellationToken);
            CertificateInfo issued;
            try
            {
                await IssueAsync(layout, app, domains, account, force || current is { CoversDomains: true }, cancellationToken);
                issued = await ReadCertificateAsync(app, domains, TlsSource.Acme, path, CancellationToken.None) is { NotAfter: not null, CoversDomains: true } read
                    ? read
                    : throw new CertificateException(
                        $"certbot reported success for app '{app}' on {_runner.Name}, but {path} does not hold a certificate for {names}."
                        + (kept ? $" The previous certificate (valid until {current!.NotAfter:yyyy-MM-dd HH:mm} UTC) is back in place." : string.Empty));
                if (kept)
                {
                    await CheckRenewedAsync(layout, app, names, current!, CancellationToken.None);
                }
            }
            catch (Exception) when (kept)
            {
                // Whatever certbot left (nothing changed, a half-written lineage, files nginx refuses): the previous files.
                await RestorePreviousAsync(layout, app);
                throw;
            }

            if (kept)
            {
                await RunAsync(CertbotCommands.DropPrevious(layout, app), CancellationToken.None);
            }

            LogIssued(app, names, issued.NotAfter!.Value, _runner.Name);
            return issued;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<CertificateInfo>> CertificatesAsync(CancellationToken cancellationToken)
    {
        var layout = await GetTlsLayoutAsync(cancellationToken);
        var list = new List<CertificateInfo>();
        foreach (var route in await DomainRoutesAsync(layout, cancellationToken))
        {
            var path = CertificatePathOf(layout, route);
            list.Add(await ReadCertificateAsync(route.App, route.Domains, route.Tls!.Source, path, cancellationToken)
                ?? new CertificateInfo(route.App, route.Domains, route.Tls.Source, path, null, []));
        }

        return list;
    }

    public async Task<IReadOnlyList<CertificateRenewal>> RenewCertificatesAsync(bool force, string? app, CancellationToken cancellationToken)
    {
        var layout = await GetTlsLayoutAsync(cancellationToken);
        var results = new List<CertificateRenewal>();
        foreach (var route in await DomainRoutesAsync(layout, cancellationToken))
        {
            if ((app is not null && route.App != app) || route.Tls is not { Source: TlsSource.Acme } tls)
            {
                continue;
            }

            try
            {
                var before = await ReadCertificateAsync(route.App, route.Domains, TlsSource.Acme, layout.AcmeCertificatePath(route.App), cancellationToken);
                var due = before is not { NotAfter: { } end, CoversDomains: true } || end - _time.GetUtcNow() <= tls.RenewBefore;
                if (!force && !due)
                {
                    results.Add(new CertificateRenewal(route.App, "current", $"valid until {before!.NotAfter:yyyy-MM-dd HH:mm} UTC; renewed from {before.NotAfter - tls.RenewBefore:yyyy-MM-dd}"));
                    continue;
                }

                var renewed = await EnsureCertificateAsync(route.App, route.Domains, tls, force: true, cancellationToken);

                // The same site with a new generation: tested, reloaded (nginx reads the renewed files) and confirmed.
                var live = await GetAsync(route.App, cancellationToken) ?? route;
                await ApplySiteAsync(route.App, live, force: true, cancellationToken);
                results.Add(new CertificateRenewal(route.App, "renewed", $"valid until {renewed.NotAfter:yyyy-MM-dd HH:mm} UTC"));
            }
            catch (DeployMindException ex)
            {
                LogRenewalFailed(route.App, ex.Message, _runner.Name);
                results.Add(new CertificateRenewal(route.App, "failed", ex.Message));
            }
        }

        return results;
    }

    /// <summary>Copies certbot's current files of <paramref name="app"/> aside (false when there are none to keep, e.g. not certbot's layout).</summary>
    private async Task<bool> KeepPreviousAsync(NginxLayout layout, string app, CancellationToken cancellationToken)
    {
        var previous = layout.AcmePreviousDirectory(app);
        (await RunAsync(NginxCommands.MakeDirectories(previous), cancellationToken)).EnsureSuccess();
        (await RunAsync(CertbotCommands.Restrict($"{layout.AcmeDirectory}/previous", "0700"), cancellationToken)).EnsureSuccess();
        var copy = await RunAsync(CertbotCommands.KeepPrevious(layout, app), cancellationToken);
        if (!copy.Succeeded)
        {
            LogNotKept(app, copy.StandardError.Trim(), _runner.Name);
        }

        return copy.Succeeded;
    }

    private async Task RestorePreviousAsync(NginxLayout layout, string app)
    {
        var restore = await RunAsync(CertbotCommands.RestorePrevious(layout, app), CancellationToken.None);
        if (!restore.Succeeded)
        {
            throw new CertificateException(
                $"The renewal of app '{app}' on {_runner.Name} failed and its previous certificate files could not be put back from {layout.AcmePreviousDirectory(app)} "
                + $"({restore.StandardError.Trim()}): move them into {layout.AcmeLiveDirectory(app)} by hand before nginx is reloaded.");
        }
    }

    /// <summary>
    /// After a renewal: <c>nginx -t</c> with the new files, which every site of the app names (so a chain or key nginx
    /// cannot load is found now, not by the next reload of any app). When nginx refuses them, the caller puts the
    /// previous files back; this says which domain, what nginx said and what to do.
    /// </summary>
    private async Task CheckRenewedAsync(NginxLayout layout, string app, string names, CertificateInfo previous, CancellationToken cancellationToken)
    {
        var test = await RunAsync(NginxCommands.Test(layout), cancellationToken);
        if (test.Succeeded)
        {
            return;
        }

        var errors = NginxMessages(test);
        var ours = errors.Contains(layout.AcmeLiveDirectory(app) + "/", StringComparison.Ordinal)
            || errors.Contains($"{layout.AcmeDirectory}/archive/{app}/", StringComparison.Ordinal);
        if (!ours)
        {
            // nginx refuses something else (another site): not this certificate's doing; the site's own test reports it.
            return;
        }

        LogRenewedRefused(app, names, errors, _runner.Name);
        throw new CertificateException(
            $"The renewed certificate of app '{app}' ({names}) on {_runner.Name} was refused by nginx -t, so the previous certificate "
            + $"(valid until {previous.NotAfter:yyyy-MM-dd HH:mm} UTC) is back in place and nginx keeps serving it. nginx said: {errors} "
            + $"What to do: look at what certbot wrote (kept as {layout.AcmeDirectory}/archive/{app}/*.pem.refused; its log is {layout.AcmeDirectory}/logs/letsencrypt.log), "
            + "then renew again with `deploymind certs renew --force` before the current certificate expires.");
    }

    /// <summary>
    /// What <c>deploymind validate</c> checks of an app's domains on this host (see <see cref="IHostChecks.CheckDomainsAsync"/>):
    /// the ACME client, each name's resolution on the host, the challenge path over HTTP by name, and the certificate.
    /// Changes nothing nginx serves (a probe file in the challenge webroot comes and goes).
    /// </summary>
    internal async Task<IReadOnlyList<CheckResult>> CheckDomainsAsync(string hostName, string app, IReadOnlyList<string> domains, SiteTls? tls, CancellationToken cancellationToken)
    {
        var settings = _options.Domains ?? new NginxDomainOptions();
        var layout = await GetTlsLayoutAsync(cancellationToken);
        var results = new List<CheckResult>();
        if (tls is { Source: TlsSource.Acme })
        {
            var version = await RunAsync(CertbotCommands.Version(settings.Certbot), cancellationToken);
            results.Add(new CheckResult($"{hostName}: ACME client", version.Succeeded, version.Succeeded
                ? (version.StandardOutput + version.StandardError).Trim()
                : $"'{settings.Certbot}' is not installed: install Debian's certbot package (apt-get install certbot); tls.mode acme needs it on every host"));
        }

        var own = await RunAsync(CertbotCommands.OwnAddresses(), cancellationToken);
        var addresses = own.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Append("127.0.0.1").Append("::1").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var live = await GetAsync(app, cancellationToken);
        foreach (var domain in domains)
        {
            var name = $"{hostName}: domain {domain}";
            var resolved = await RunAsync(CertbotCommands.Resolve(domain), cancellationToken);
            var found = resolved.Succeeded
                ? resolved.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)[0].Trim()).Where(a => a.Length > 0).Distinct().ToArray()
                : [];
            if (found.Length == 0)
            {
                results.Add(new CheckResult(name, false, $"does not resolve on this host: give it an A (or AAAA) record for this host's public address; the CA cannot issue a certificate before it resolves"));
                continue;
            }

            results.Add(found.Any(addresses.Contains)
                ? new CheckResult(name, true, $"resolves to {string.Join(", ", found)} (this host)")
                : new CheckResult(name, true, $"resolves to {string.Join(", ", found)}, not an address of this host ({string.Join(", ", addresses)}): right only behind NAT that forwards ports {settings.HttpPort}/{settings.HttpsPort} here") { Warning = true });

            if (live is null || !live.Domains.Contains(domain, StringComparer.Ordinal))
            {
                results.Add(new CheckResult($"{name}: port {settings.HttpPort}", true, "not served by the app's site yet: the first deploy serves it and checks that nginx answers the CA's challenge") { Warning = true });
                continue;
            }

            results.Add(await CheckReachableAsync(layout, name, domain, settings, cancellationToken));
        }

        if (tls is not null)
        {
            var path = tls.Source == TlsSource.Files ? tls.CertificateFile! : layout.AcmeCertificatePath(app);
            var info = await ReadCertificateAsync(app, domains, tls.Source, path, cancellationToken);
            var now = _time.GetUtcNow();
            results.Add(info switch
            {
                null when tls.Source == TlsSource.Acme => new CheckResult($"{hostName}: certificate of {app}", true, "not issued yet: the first deploy gets it from the CA") { Warning = true },
                null => new CheckResult($"{hostName}: certificate of {app}", false, $"{path} (tls.certificate) cannot be read as a PEM certificate on this host"),
                { NotAfter: { } end } when end <= now => new CheckResult($"{hostName}: certificate of {app}", false, $"expired on {end:yyyy-MM-dd HH:mm} UTC ({path}); deploymind certs renew --force (ACME) or replace the files"),
                { CoversDomains: false } => new CheckResult($"{hostName}: certificate of {app}", false, $"is for {string.Join(", ", info.Names)}, not every domain ({string.Join(", ", domains)}); the next deploy (ACME) gets one for all of them"),
                { NotAfter: { } end } when end - now <= tls.RenewBefore => new CheckResult($"{hostName}: certificate of {app}", true, $"expires on {end:yyyy-MM-dd HH:mm} UTC, within renewBefore: housekeeping renews it (or deploymind certs renew)") { Warning = true },
                _ => new CheckResult($"{hostName}: certificate of {app}", true, $"valid until {info.NotAfter:yyyy-MM-dd HH:mm} UTC ({Math.Floor((info.NotAfter!.Value - now).TotalDays)} days)"),
            });
        }

        return results;
    }

    /// <summary>Fetches a probe file from the challenge path by the domain's own name, as the CA will (resolved on the host).</summary>
    private async Task<CheckResult> CheckReachableAsync(NginxLayout layout, string name, string domain, NginxDomainOptions settings, CancellationToken cancellationToken)
    {
        var token = "deploymind-validate-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var file = layout.ChallengeDirectory + ChallengePath + token;
        (await RunAsync(NginxCommands.MakeDirectories(layout.ChallengeDirectory + ChallengePath.TrimEnd('/')), cancellationToken)).EnsureSuccess();
        (await RunAsync(NginxCommands.Write(file, token), cancellationToken)).EnsureSuccess();
        try
        {
            var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{domain}:{settings.HttpPort}{ChallengePath}{token}"));
            var result = await RunAsync(NginxCommands.Fetch(url, null, TimeSpan.FromSeconds(5)), cancellationToken);
            return result.Succeeded && result.StandardOutput.Trim() == token
                ? new CheckResult($"{name}: port {settings.HttpPort}", true, $"{url.GetLeftPart(UriPartial.Authority)} answers the ACME challenge path through nginx")
                : new CheckResult($"{name}: port {settings.HttpPort}", false,
                    $"{url.GetLeftPart(UriPartial.Authority)}{ChallengePath} did not answer the probe (curl exit {result.ExitCode}): check nginx.domains.listenAddress (a public address), the firewall on port {settings.HttpPort}, and that nginx's workers can read {layout.ChallengeDirectory}");
        }
        finally
        {
            await RunAsync(NginxCommands.Remove(file), CancellationToken.None);
        }
    }

    /// <summary>How <paramref name="route"/>'s domains are served: null without domains; HTTPS once its certificate is on the host.</summary>
    private async Task<NginxSiteDomains?> SiteDomainsAsync(RouteSpec route, CancellationToken cancellationToken)
    {
        if (route.Domains.Count == 0)
        {
            return null;
        }

        var layout = await GetTlsLayoutAsync(cancellationToken);
        var shared = SharedPorts(layout);
        switch (route.Tls)
        {
            case null:
                return shared;
            case { Source: TlsSource.Files } files:
                // The operator's files are always named: a missing or bad one is refused by nginx -t, with its message.
                return shared with { CertificateFile = files.CertificateFile, KeyFile = files.KeyFile };
            default:
                // ACME: HTTPS once certbot has put a certificate there (the deploy gets it before it switches).
                return (await RunAsync(CertbotCommands.Exists(layout.AcmeCertificatePath(route.App)), cancellationToken)).Succeeded
                    ? shared with { CertificateFile = layout.AcmeCertificatePath(route.App), KeyFile = layout.AcmeKeyPath(route.App) }
                    : shared;
        }
    }

    private NginxSiteDomains SharedPorts(NginxLayout layout)
    {
        var domains = _options.Domains ?? new NginxDomainOptions();
        return new NginxSiteDomains(domains.ListenAddress, domains.HttpPort, domains.HttpsPort, layout.ChallengeDirectory, null, null);
    }

    /// <summary>
    /// Gets a certificate from the CA. Under the gate: the challenge webroot is prepared, names no site serves yet get a
    /// temporary challenge-only site (tested and reloaded like any other), nginx is checked to serve a probe file for each
    /// name, and certbot runs; the temporary site is removed whatever happens.
    /// </summary>
    private async Task IssueAsync(NginxLayout layout, string app, IReadOnlyList<string> domains, AcmeAccount account, bool force, CancellationToken cancellationToken)
    {
        var settings = _options.Domains ?? new NginxDomainOptions();
        var version = await RunAsync(CertbotCommands.Version(settings.Certbot), cancellationToken);
        if (!version.Succeeded)
        {
            throw new CertificateException(
                $"The ACME client '{settings.Certbot}' is not installed on {_runner.Name} (install Debian's certbot package: apt-get install certbot), so no certificate for {string.Join(", ", domains)} can be issued.");
        }

        await PrepareAsync(layout, cancellationToken);
        (await RunAsync(NginxCommands.MakeDirectories(layout.TlsDirectory, layout.AcmeDirectory, layout.ChallengeDirectory + ChallengePath.TrimEnd('/')), cancellationToken)).EnsureSuccess();
        (await RunAsync(CertbotCommands.Restrict(layout.AcmeDirectory, "0700"), cancellationToken)).EnsureSuccess();

        var served = await GetAsync(app, cancellationToken) is { } route ? route.Domains : [];
        var missing = domains.Where(d => !served.Contains(d, StringComparer.Ordinal)).ToArray();
        var challengeSite = layout.ChallengeSitePath(app);
        var wroteSite = false;
        try
        {
            if (missing.Length > 0)
            {
                await WriteFileAsync(challengeSite, NginxConfigRenderer.RenderChallengeSite(app, missing, SharedPorts(layout)), cancellationToken);
                wroteSite = true;
                var test = await RunAsync(NginxCommands.Test(layout), CancellationToken.None);
                if (!test.Succeeded)
                {
                    throw new CertificateException(
                        $"nginx rejected the challenge site for app '{app}' on {_runner.Name}, so no certificate can be issued; nothing served changed. {NginxMessages(test)}");
                }

                await ActivateAsync(layout, startIfStopped: true, CancellationToken.None);
            }

            await ProbeChallengeAsync(layout, app, domains, cancellationToken);

            var timeout = Duration.Parse(settings.IssueTimeout, "nginx:Domains:IssueTimeout");
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            CommandResult result;
            try
            {
                result = await RunAsync(CertbotCommands.Issue(settings.Certbot, layout, app, domains, account, force), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CertificateException(
                    $"No certificate for {string.Join(", ", domains)} from {account.Directory} on {_runner.Name}: the ACME client did not finish within {settings.IssueTimeout} (nginx:Domains:IssueTimeout).");
            }

            if (!result.Succeeded)
            {
                throw new CertificateException(DescribeIssueFailure(domains, account, result));
            }
        }
        finally
        {
            if (wroteSite)
            {
                await RemoveChallengeSiteAsync(layout, challengeSite);
            }
        }
    }

    private async Task RemoveChallengeSiteAsync(NginxLayout layout, string challengeSite)
    {
        (await RunAsync(NginxCommands.Remove(challengeSite), CancellationToken.None)).EnsureSuccess();
        if ((await RunAsync(NginxCommands.Test(layout), CancellationToken.None)).Succeeded)
        {
            await ActivateAsync(layout, startIfStopped: false, CancellationToken.None);
        }
    }

    /// <summary>
    /// Checks, before the CA is asked, that nginx on this host serves the webroot for every name: a probe file is fetched
    /// from the shared HTTP port with each name as Host (until the reload has taken effect), so a webroot nginx's workers
    /// cannot read is reported as such rather than as a CA's failed validation.
    /// </summary>
    private async Task ProbeChallengeAsync(NginxLayout layout, string app, IReadOnlyList<string> domains, CancellationToken cancellationToken)
    {
        var settings = _options.Domains ?? new NginxDomainOptions();
        var token = "deploymind-probe-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var file = layout.ChallengeDirectory + ChallengePath + token;
        (await RunAsync(NginxCommands.Write(file, token), cancellationToken)).EnsureSuccess();
        try
        {
            var url = new Uri(string.Create(
                CultureInfo.InvariantCulture,
                $"http://{NginxConfigRenderer.ProbeAddress(settings.ListenAddress)}:{settings.HttpPort}{ChallengePath}{token}"));
            var timeout = Duration.Parse(_options.ReloadConfirmTimeout, "nginx:ReloadConfirmTimeout");
            foreach (var domain in domains)
            {
                CommandResult? last = null;
                var served = await WaitUntilAsync(
                    async () => (last = await RunAsync(NginxCommands.Fetch(url, domain, FetchTimeout), cancellationToken)) is { Succeeded: true } r && r.StandardOutput.Trim() == token,
                    timeout,
                    cancellationToken);
                if (!served)
                {
                    throw new CertificateException(
                        $"nginx on {_runner.Name} does not serve the ACME challenge webroot for {domain} (app '{app}'): {url} with Host {domain} answered "
                        + (last is { ExitCode: 22 } ? "an error status (403: nginx's workers cannot read " + layout.ChallengeDirectory + "; set nginx.domains.challengeDirectory to a directory they can read)" : $"nothing ({last?.StandardError.Trim()})")
                        + ". No certificate was requested; nothing served changed.");
                }
            }
        }
        finally
        {
            await RunAsync(NginxCommands.Remove(file), CancellationToken.None);
        }
    }

    /// <summary>A files certificate: present, readable, covering the domains and not expired.</summary>
    private async Task<CertificateInfo> CheckOwnCertificateAsync(string app, IReadOnlyList<string> domains, SiteTls tls, CancellationToken cancellationToken)
    {
        var path = tls.CertificateFile ?? throw new InvalidInputException($"App '{app}': TLS from files needs tls.certificate and tls.key.");
        var info = await ReadCertificateAsync(app, domains, TlsSource.Files, path, cancellationToken)
            ?? throw new CertificateException($"The certificate file {path} (tls.certificate) cannot be read as a PEM certificate on {_runner.Name}; put it there (and its key at {tls.KeyFile}).");
        if (!info.CoversDomains)
        {
            throw new CertificateException(
                $"The certificate {path} on {_runner.Name} is for {string.Join(", ", info.Names)}, not for every domain of app '{app}' ({string.Join(", ", domains)}).");
        }

        if (info.NotAfter <= _time.GetUtcNow())
        {
            throw new CertificateException($"The certificate {path} on {_runner.Name} expired on {info.NotAfter:yyyy-MM-dd HH:mm} UTC; replace it.");
        }

        return info;
    }

    /// <summary>The certificate in <paramref name="path"/> on the host, or null when there is none (or it cannot be read).</summary>
    private async Task<CertificateInfo?> ReadCertificateAsync(string app, IReadOnlyList<string> domains, TlsSource source, string path, CancellationToken cancellationToken)
    {
        var result = await RunAsync(CertbotCommands.Read(path), cancellationToken);
        return result.Succeeded && ParseCertificate(result.StandardOutput) is var (notAfter, names) && notAfter is not null
            ? new CertificateInfo(app, domains, source, path, notAfter, names)
            : null;
    }

    /// <summary>The expiry and DNS names of <c>openssl x509 -noout -enddate -ext subjectAltName</c>'s output.</summary>
    internal static (DateTimeOffset? NotAfter, IReadOnlyList<string> Names) ParseCertificate(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        DateTimeOffset? notAfter = null;
        var names = new List<string>();
        foreach (var raw in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.StartsWith("notAfter=", StringComparison.Ordinal))
            {
                var value = Spaces().Replace(raw["notAfter=".Length..], " ");
                if (DateTime.TryParseExact(value, "MMM d HH:mm:ss yyyy 'GMT'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    notAfter = new DateTimeOffset(parsed, TimeSpan.Zero);
                }
            }
            else
            {
                names.AddRange(raw.Split(',', StringSplitOptions.TrimEntries)
                    .Where(p => p.StartsWith("DNS:", StringComparison.Ordinal))
                    .Select(p => p[4..].ToLowerInvariant()));
            }
        }

        return (notAfter, names);
    }

    /// <summary>One line a person can act on from certbot's failure: what the CA said for each domain, and what to do.</summary>
    internal string DescribeIssueFailure(IReadOnlyList<string> domains, AcmeAccount account, CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var output = result.StandardOutput + "\n" + result.StandardError;
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var details = lines.Where(l => l.StartsWith("Domain:", StringComparison.Ordinal) || l.StartsWith("Type:", StringComparison.Ordinal) || l.StartsWith("Detail:", StringComparison.Ordinal))
            .ToArray();
        var failed = lines.Where(l => l.StartsWith("Domain:", StringComparison.Ordinal)).Select(l => l["Domain:".Length..].Trim()).ToArray();
        var said = details.Length > 0
            ? string.Join(" ", details)
            : string.Join(" ", lines.Where(l => !l.StartsWith("Saving debug log", StringComparison.Ordinal)).TakeLast(6));
        var subject = failed.Length > 0 ? string.Join(", ", failed) : string.Join(", ", domains);
        var dns = output.Contains("DNS problem", StringComparison.OrdinalIgnoreCase) || output.Contains("could not resolve", StringComparison.OrdinalIgnoreCase)
            || output.Contains("NXDOMAIN", StringComparison.Ordinal) || output.Contains("no valid A records", StringComparison.OrdinalIgnoreCase)
            || output.Contains("no such host", StringComparison.OrdinalIgnoreCase);
        var unreachable = output.Contains("Connection refused", StringComparison.OrdinalIgnoreCase) || output.Contains("Timeout during connect", StringComparison.OrdinalIgnoreCase)
            || output.Contains("connection reset", StringComparison.OrdinalIgnoreCase) || output.Contains("Type:   connection", StringComparison.Ordinal);
        var advice = dns
            ? $"{subject} does not point at {_runner.Name}: give it an A/AAAA record for this host's address, wait for it to resolve (deploymind validate checks), then deploy again."
            : unreachable
                ? $"the CA could not reach {subject} on port {(_options.Domains ?? new NginxDomainOptions()).HttpPort} of this host: check the DNS record, the firewall and nginx.domains.listenAddress (it must be a public address), then deploy again."
                : "see what the CA said; docs/domains.md lists the usual causes (rate limits, a CAA record, a wrong directory URL).";
        return $"No certificate for {string.Join(", ", domains)} from {account.Directory} on {_runner.Name}: {advice} The previous release and the other apps keep serving. The CA said: {said}";
    }

    /// <summary>The routes of the host's sites that serve domains over HTTPS.</summary>
    private async Task<IReadOnlyList<RouteSpec>> DomainRoutesAsync(NginxLayout layout, CancellationToken cancellationToken)
    {
        var list = await RunAsync(NginxCommands.List(layout.SitesDirectory), cancellationToken);
        if (IsMissingFile(list))
        {
            return [];
        }

        var routes = new List<RouteSpec>();
        foreach (var name in list.EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!name.EndsWith(".conf", StringComparison.Ordinal) || name.EndsWith(".acme.conf", StringComparison.Ordinal) || !name.StartsWith(layout.SiteFilePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var text = await ReadFileAsync($"{layout.SitesDirectory}/{name}", cancellationToken);
            if (text is not null && NginxRouteComment.Parse(text) is { Domains.Count: > 0, Tls: not null } route)
            {
                routes.Add(route);
            }
        }

        return routes;
    }

    private static string CertificatePathOf(NginxLayout layout, RouteSpec route) =>
        route.Tls is { Source: TlsSource.Files, CertificateFile: { } file } ? file : layout.AcmeCertificatePath(route.App);

    [GeneratedRegex(" +")]
    private static partial Regex Spaces();

    [LoggerMessage(Level = LogLevel.Information, Message = "Certificate for {App} ({Domains}) on {Host}: valid until {NotAfter:u}")]
    private partial void LogIssued(string app, string domains, DateTimeOffset notAfter, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The current certificate files of {App} on {Host} could not be copied aside before its renewal ({Reason}); a renewal nginx refuses cannot be undone")]
    private partial void LogNotKept(string app, string reason, string host);

    [LoggerMessage(Level = LogLevel.Error, Message = "nginx refused the renewed certificate of {App} ({Domains}) on {Host}; the previous one is back in place: {Errors}")]
    private partial void LogRenewedRefused(string app, string domains, string errors, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The certificate of {App} on {Host} was not renewed: {Reason}")]
    private partial void LogRenewalFailed(string app, string reason, string host);
}
