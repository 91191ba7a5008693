using DeployMind.Application.Deploy.Hosts;
namespace DeployMind.Infrastructure.Nginx;

/// <summary>Where the router's files live on a host, with <c>~</c> already expanded.</summary>
internal sealed record NginxLayout
{
    public required NginxMode Mode { get; init; }

    /// <summary>The nginx program.</summary>
    public required string Binary { get; init; }

    /// <summary>Managed: the instance's prefix directory, without a trailing slash; null in ConfD mode.</summary>
    public string? Prefix { get; init; }

    /// <summary>The main configuration nginx is tested with and, in Managed mode, started with.</summary>
    public required string MainConfigPath { get; init; }

    /// <summary>The directory holding one site file per app.</summary>
    public required string SitesDirectory { get; init; }

    /// <summary>Prepended to site file names: empty in our own prefix, "deploymind-" in a shared conf.d.</summary>
    public required string SiteFilePrefix { get; init; }

    /// <summary>Where the per-app access logs go.</summary>
    public required string AccessLogDirectory { get; init; }

    /// <summary>Managed: the master's pid file.</summary>
    public string? PidPath { get; init; }

    /// <summary>nginx's error log: the instance's own (Managed), or the configured one (ConfD).</summary>
    public required string ErrorLogPath { get; init; }

    /// <summary>Certificates, keys and the ACME account (0700).</summary>
    public string TlsDirectory { get; init; } = "/nonexistent";

    /// <summary>The HTTP-01 webroot: nginx serves <c>/.well-known/acme-challenge/</c> from it.</summary>
    public string ChallengeDirectory { get; init; } = "/nonexistent";

    /// <summary>certbot's configuration directory (account, keys, certificates, renewal settings).</summary>
    public string AcmeDirectory => $"{TlsDirectory}/acme";

    /// <summary>The certificate chain certbot keeps for <paramref name="app"/> (a link to its newest version).</summary>
    public string AcmeCertificatePath(string app) => $"{AcmeDirectory}/live/{app}/fullchain.pem";

    /// <summary>The private key certbot keeps for <paramref name="app"/>.</summary>
    public string AcmeKeyPath(string app) => $"{AcmeDirectory}/live/{app}/privkey.pem";

    /// <summary>The files certbot keeps for an app in <c>live/&lt;app&gt;/</c> (links into <c>archive/</c>).</summary>
    public static readonly IReadOnlyList<string> AcmeFiles = ["cert.pem", "chain.pem", "fullchain.pem", "privkey.pem"];

    /// <summary>certbot's current files of <paramref name="app"/> (links into its archive).</summary>
    public string AcmeLiveDirectory(string app) => $"{AcmeDirectory}/live/{app}";

    /// <summary>
    /// Where the previous certificate's files of <paramref name="app"/> wait while a renewal is checked: at the same depth as
    /// <c>live/&lt;app&gt;</c>, so certbot's relative links into <c>archive/</c> resolve the same from both.
    /// </summary>
    public string AcmePreviousDirectory(string app) => $"{AcmeDirectory}/previous/{app}";

    /// <summary>The temporary site that answers the ACME challenge for names no site of <paramref name="app"/> serves yet.</summary>
    public string ChallengeSitePath(string app) => $"{SitesDirectory}/{SiteFilePrefix}{app}.acme.conf";

    /// <summary>Managed: the parent of nginx's temp directories.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>The site file of <paramref name="app"/>. Its temp and backup files add a suffix, so the sites glob (*.conf) never loads them.</summary>
    public string SitePath(string app) => $"{SitesDirectory}/{SiteFilePrefix}{app}.conf";

    /// <summary>
    /// The catch-all site of the shared domain ports (<see cref="NginxConfigRenderer.RenderDefaultSite"/>). App names
    /// start with a letter or digit, so no app's site can have this name.
    /// </summary>
    public string DefaultSitePath => $"{SitesDirectory}/{SiteFilePrefix}_default.conf";

    /// <summary>The app's ledger of verified releases beside its site (not included by nginx: only *.conf is).</summary>
    public string VerifiedPath(string app) => $"{SitesDirectory}/{SiteFilePrefix}{app}.verified";

    public string AccessLogPath(string app) => $"{AccessLogDirectory}/{app}.access.log";

    /// <summary>The access log of the app's canary probe requests alone (<see cref="RouteSpec.ProbeMarker"/>), beside its users' log.</summary>
    public string ProbeLogPath(string app) => $"{AccessLogDirectory}/{app}.probes.log";

    /// <summary>Whether <paramref name="options"/> has a path relative to the home directory (so the host's $HOME is needed).</summary>
    public static bool NeedsHome(NginxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Paths(options).Any(p => p is not null && p.StartsWith('~'));
    }

    /// <summary>The layout for <paramref name="options"/>; <paramref name="home"/> replaces a leading <c>~</c>.</summary>
    public static NginxLayout Create(NginxOptions options, string? home)
    {
        ArgumentNullException.ThrowIfNull(options);
        var domains = options.Domains ?? new NginxDomainOptions();
        // The TLS paths are expanded once the home is known (see WithTlsPaths): only sites with domains need them.
        var tls = ExpandIfKnown(domains.TlsDirectory, home);
        var challenges = string.IsNullOrEmpty(domains.ChallengeDirectory) ? $"{tls}/challenges" : ExpandIfKnown(domains.ChallengeDirectory, home);
        if (options.Mode == NginxMode.Managed)
        {
            var prefix = Expand(options.Prefix, home);
            return new NginxLayout
            {
                Mode = NginxMode.Managed,
                Binary = options.Binary,
                Prefix = prefix,
                MainConfigPath = $"{prefix}/conf/nginx.conf",
                SitesDirectory = $"{prefix}/conf/sites",
                SiteFilePrefix = string.Empty,
                AccessLogDirectory = string.IsNullOrEmpty(options.AccessLogDirectory) ? $"{prefix}/logs" : Expand(options.AccessLogDirectory, home),
                PidPath = $"{prefix}/logs/nginx.pid",
                ErrorLogPath = $"{prefix}/logs/error.log",
                TempDirectory = $"{prefix}/temp",
                TlsDirectory = tls,
                ChallengeDirectory = challenges,
            };
        }

        return new NginxLayout
        {
            Mode = NginxMode.ConfD,
            Binary = options.Binary,
            MainConfigPath = Expand(options.MainConfigPath, home),
            SitesDirectory = Expand(options.ConfDirectory, home),
            SiteFilePrefix = "deploymind-",
            AccessLogDirectory = string.IsNullOrEmpty(options.AccessLogDirectory) ? "/var/log/nginx" : Expand(options.AccessLogDirectory, home),
            ErrorLogPath = Expand(options.ErrorLogPath, home),
            TlsDirectory = tls,
            ChallengeDirectory = challenges,
        };
    }

    private static IEnumerable<string?> Paths(NginxOptions options) =>
        options.Mode == NginxMode.Managed
            ? [options.Prefix, options.AccessLogDirectory]
            : [options.ConfDirectory, options.MainConfigPath, options.AccessLogDirectory, options.ErrorLogPath];

    /// <summary>Whether the TLS paths still start with <c>~</c> (the home was not known when the layout was made).</summary>
    public bool TlsPathsNeedHome => TlsDirectory.StartsWith('~') || ChallengeDirectory.StartsWith('~');

    /// <summary>This layout with its TLS paths relative to <paramref name="home"/>.</summary>
    public NginxLayout WithTlsPaths(string home) =>
        this with { TlsDirectory = Expand(TlsDirectory, home), ChallengeDirectory = Expand(ChallengeDirectory, home) };

    private static string ExpandIfKnown(string path, string? home) =>
        home is null && (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) ? path.TrimEnd('/') : Expand(path, home);

    private static string Expand(string path, string? home)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            if (string.IsNullOrEmpty(home))
            {
                throw new InvalidOperationException($"The path '{path}' is relative to the home directory, which is not known.");
            }

            path = home.TrimEnd('/') + path[1..];
        }

        return path.Length > 1 ? path.TrimEnd('/') : path;
    }
}
