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
