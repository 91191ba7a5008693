using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Builds, as data, the commands that get and read certificates on a host: certbot (Debian's <c>certbot</c>, the EFF's
/// ACME client) with the HTTP-01 webroot nginx serves, and openssl to read a certificate's expiry and names. Every
/// path is certbot's own directories under the layout's TLS directory, so nothing needs root and nothing touches
/// /etc/letsencrypt. Nothing here executes anything.
/// </summary>
internal static class CertbotCommands
{
    /// <summary>
    /// <c>certbot certonly --webroot</c> for <paramref name="domains"/> under the name <paramref name="app"/>: registers the
    /// account on first use (key kept in certbot's 0700 directories), proves each domain over HTTP-01 and keeps the chain
    /// and key at <see cref="NginxLayout.AcmeCertificatePath"/> / <see cref="NginxLayout.AcmeKeyPath"/>.
    /// <paramref name="force"/>: a new certificate even if the current one is not due.
    /// </summary>
    public static CommandSpec Issue(string certbot, NginxLayout layout, string app, IReadOnlyList<string> domains, AcmeAccount account, bool force)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(account);
        NginxRouteValidator.ValidateApp(app);
        NginxRouteValidator.ValidateDomains(app, domains);
        if (domains.Count == 0)
        {
            throw new ArgumentException("A certificate needs at least one domain.", nameof(domains));
        }

        List<string> arguments =
        [
            "certonly", "--non-interactive", "--agree-tos",
            .. account.Email is { } email ? new[] { "--email", email } : ["--register-unsafely-without-email"],
            "--server", account.Directory.ToString(),
            "--config-dir", layout.AcmeDirectory,
            "--work-dir", $"{layout.AcmeDirectory}/work",
            "--logs-dir", $"{layout.AcmeDirectory}/logs",
            "--webroot", "--webroot-path", layout.ChallengeDirectory,
            "--preferred-challenges", "http",
            "--cert-name", app,
            "--domains", string.Join(',', domains),
            force ? "--force-renewal" : "--keep-until-expiring",
            "--no-eff-email",
        ];
        var command = new CommandSpec(certbot, arguments).WithEnvironment("LC_ALL", "C.UTF-8");
        // A private ACME CA's HTTPS is trusted through the bundle (certbot talks to it with Python requests).
        return account.CaBundle is { } bundle ? command.WithEnvironment("REQUESTS_CA_BUNDLE", bundle) : command;
    }

    /// <summary>
    /// Copies certbot's current files of <paramref name="app"/> (the links themselves, <c>cp -P</c>, modes kept) to
    /// <see cref="NginxLayout.AcmePreviousDirectory"/>, before a renewal replaces them.
    /// </summary>
    public static CommandSpec KeepPrevious(NginxLayout layout, string app)
    {
        ArgumentNullException.ThrowIfNull(layout);
        NginxRouteValidator.ValidateApp(app);
        var live = layout.AcmeLiveDirectory(app);
        return new CommandSpec("cp", ["-P", "-p", .. NginxLayout.AcmeFiles.Select(f => $"{live}/{f}"), layout.AcmePreviousDirectory(app) + "/"]).WithEnvironment("LC_ALL", "C");
    }

    /// <summary>
    /// Moves the files <see cref="KeepPrevious"/> kept back into certbot's <c>live/&lt;app&gt;</c> (each rename atomic), and
    /// renames the version they replace in <c>archive/&lt;app&gt;/</c> to <c>*.pem.refused</c>: certbot links the newest
    /// complete version of its archive again ("a new certificate that was not linked to in /live/") instead of renewing,
    /// so the refused one must leave it; it stays beside it for a look.
    /// </summary>
    public static CommandSpec RestorePrevious(NginxLayout layout, string app)
    {
        ArgumentNullException.ThrowIfNull(layout);
        NginxRouteValidator.ValidateApp(app);
        const string Script = """
            live=$1 previous=$2
            shift 2
            for f in "$@"; do
              refused=$(readlink -f -- "$live/$f") || refused=
              mv -f -- "$previous/$f" "$live/$f" || exit 1
              restored=$(readlink -f -- "$live/$f") || restored=
              case "$refused" in
                */archive/*) if [ -e "$refused" ] && [ "$refused" != "$restored" ]; then mv -f -- "$refused" "$refused.refused" || exit 1; fi ;;
              esac
            done
            """;
        return new CommandSpec("sh", ["-c", Script, "sh", layout.AcmeLiveDirectory(app), layout.AcmePreviousDirectory(app), .. NginxLayout.AcmeFiles]).WithEnvironment("LC_ALL", "C");
    }

    /// <summary>Removes the files <see cref="KeepPrevious"/> kept (the renewal is in place; certbot's archive keeps every version).</summary>
    public static CommandSpec DropPrevious(NginxLayout layout, string app)
    {
        ArgumentNullException.ThrowIfNull(layout);
        NginxRouteValidator.ValidateApp(app);
        var previous = layout.AcmePreviousDirectory(app);
        return new CommandSpec("rm", ["-f", .. NginxLayout.AcmeFiles.Select(f => $"{previous}/{f}")]).WithEnvironment("LC_ALL", "C");
    }

    /// <summary>certbot's version (<c>certbot --version</c>): whether the client is installed.</summary>
    public static CommandSpec Version(string certbot) => CommandSpec.Create(certbot, "--version");

    /// <summary>The expiry and names of the certificate in <paramref name="path"/> (the first of a chain).</summary>
    public static CommandSpec Read(string path) =>
        new CommandSpec("openssl", ["x509", "-noout", "-enddate", "-ext", "subjectAltName", "-in", path]).WithEnvironment("LC_ALL", "C");

    /// <summary>Makes <paramref name="path"/> readable by its owner only (directories 0700, keys 0600).</summary>
    public static CommandSpec Restrict(string path, string mode) => new CommandSpec("chmod", [mode, path]).WithEnvironment("LC_ALL", "C");

    /// <summary>Exits 0 when <paramref name="path"/> exists and is not empty (links followed).</summary>
    public static CommandSpec Exists(string path) => CommandSpec.Create("test", "-s", path);

    /// <summary>The addresses <paramref name="domain"/> resolves to on the host (one a line, address first).</summary>
    public static CommandSpec Resolve(string domain) => CommandSpec.Create("getent", "ahosts", domain);

    /// <summary>The host's own addresses (<c>hostname -I</c>).</summary>
    public static CommandSpec OwnAddresses() => CommandSpec.Create("hostname", "-I");
}
