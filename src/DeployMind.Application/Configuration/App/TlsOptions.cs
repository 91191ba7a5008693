using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>tls:</c> HTTPS for the app's <c>domains</c> (app-wide, or <c>environments.&lt;name&gt;.tls</c> for one environment):
/// certificates from an ACME certificate authority (Let's Encrypt by default) or the operator's own files.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>none (HTTP only, the default), acme, or files.</summary>
    public string Mode { get; set; } = "none";

    /// <summary>mode acme: the certificate authority and the account.</summary>
    public AcmeOptions Acme { get; set; } = new();

    /// <summary>mode files: the certificate chain (PEM) on each host.</summary>
    public string? Certificate { get; set; }

    /// <summary>mode files: the private key (PEM) on each host (0600).</summary>
    public string? Key { get; set; }

    /// <summary>Plain HTTP answers with a redirect to HTTPS (the ACME challenge path excepted).</summary>
    public bool Redirect { get; set; } = true;

    /// <summary>The Strict-Transport-Security max-age (e.g. 365d); empty: no HSTS header (the default: HSTS is hard to undo).</summary>
    public string? Hsts { get; set; }

    /// <summary>mode acme: renew a certificate once it expires within this long.</summary>
    public string RenewBefore { get; set; } = "30d";

    /// <summary>The settings, or null for mode none.</summary>
    /// <exception cref="InvalidInputException">A value is not valid; the message names its key under <paramref name="key"/>.</exception>
    public SiteTls? ToSettings(string key)
    {
        var mode = Mode?.Trim().ToLowerInvariant();
        if (mode is null or "" or "none" or "off")
        {
            return null;
        }

        TimeSpan? hsts = string.IsNullOrWhiteSpace(Hsts) ? null : Duration.Parse(Hsts, key + ".hsts");
        var renewBefore = Duration.Parse(RenewBefore, key + ".renewBefore");
        if (renewBefore <= TimeSpan.Zero)
        {
            throw new InvalidInputException($"{key}.renewBefore: '{RenewBefore}' must be longer than zero (e.g. 30d).");
        }

        switch (mode)
        {
            case "acme":
                return new SiteTls { Source = TlsSource.Acme, Acme = Acme.ToAccount(key + ".acme"), Redirect = Redirect, Hsts = hsts, RenewBefore = renewBefore };
            case "files":
                return new SiteTls
                {
                    Source = TlsSource.Files,
                    CertificateFile = HostPath(Certificate, key + ".certificate"),
                    KeyFile = HostPath(Key, key + ".key"),
                    Redirect = Redirect,
                    Hsts = hsts,
                    RenewBefore = renewBefore,
                };
            default:
                throw new InvalidInputException($"{key}.mode: '{Mode}' is not a TLS mode; use none, acme or files.");
        }
    }

    private static string HostPath(string? path, string key)
    {
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/') || path.Any(c => char.IsControl(c) || c is '"' or '\'' or '\\' or '$' or ';' or '{' or '}'))
        {
            throw new InvalidInputException($"{key}: '{path}' is not an absolute path on the hosts (no quotes, '$', ';' or braces); mode files needs it.");
        }

        return path;
    }
}

/// <summary><c>tls.acme:</c> the ACME certificate authority and the account DeployMind registers with it.</summary>
public sealed class AcmeOptions
{
    /// <summary>The directory URL; empty: Let's Encrypt (its staging directory with <see cref="Staging"/>).</summary>
    public string? Directory { get; set; }

    /// <summary>The account's contact for expiry notices (recommended).</summary>
    public string? Email { get; set; }

    /// <summary>Let's Encrypt's staging environment (untrusted certificates, for trying a set-up out).</summary>
    public bool Staging { get; set; }

    /// <summary>A CA bundle (PEM file on each host) trusted for the directory's HTTPS: a private ACME CA's.</summary>
    public string? CaBundle { get; set; }

    /// <summary>The account.</summary>
    /// <exception cref="InvalidInputException">A value is not valid; the message names its key under <paramref name="key"/>.</exception>
    public AcmeAccount ToAccount(string key)
    {
        Uri directory;
        if (string.IsNullOrWhiteSpace(Directory))
        {
            directory = Staging ? AcmeAccount.LetsEncryptStaging : AcmeAccount.LetsEncrypt;
        }
        else if (!Uri.TryCreate(Directory.Trim(), UriKind.Absolute, out directory!) || directory.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(directory.UserInfo))
        {
            throw new InvalidInputException($"{key}.directory: '{Directory}' is not an https:// URL of an ACME directory.");
        }
        else if (Staging)
        {
            throw new InvalidInputException($"{key}: staging picks Let's Encrypt's staging directory; leave it out when directory is set.");
        }

        var email = string.IsNullOrWhiteSpace(Email) ? null : Email.Trim();
        if (email is not null && (email.Length > 254 || email.Count(c => c == '@') != 1 || email.StartsWith('@') || email.EndsWith('@')
            || email.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or '"' or '\'' or ';')))
        {
            throw new InvalidInputException($"{key}.email: '{Email}' is not an email address.");
        }

        var bundle = string.IsNullOrWhiteSpace(CaBundle) ? null : CaBundle.Trim();
        if (bundle is not null && !bundle.StartsWith('/'))
        {
            throw new InvalidInputException($"{key}.caBundle: '{CaBundle}' is not an absolute path on the hosts.");
        }

        return new AcmeAccount(directory, email) { CaBundle = bundle };
    }
}
