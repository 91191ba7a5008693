namespace DeployMind.Application.Deploy.Hosts;

/// <summary>Where an app's certificate comes from.</summary>
public enum TlsSource
{
    /// <summary>Issued and renewed by an ACME certificate authority (Let's Encrypt, or any other by its directory URL).</summary>
    Acme,

    /// <summary>Certificate and key files the operator puts on the host (bring your own).</summary>
    Files,
}

/// <summary>HTTPS for an app's domains: where its certificate comes from and how HTTP is answered.</summary>
public sealed record SiteTls
{
    /// <summary>ACME or the operator's own files.</summary>
    public required TlsSource Source { get; init; }

    /// <summary>ACME: the certificate authority and the account's contact.</summary>
    public AcmeAccount? Acme { get; init; }

    /// <summary>Files: the certificate chain (PEM) on the host.</summary>
    public string? CertificateFile { get; init; }

    /// <summary>Files: the private key (PEM) on the host; it should be readable by its owner only (0600).</summary>
    public string? KeyFile { get; init; }

    /// <summary>Whether plain HTTP answers with a permanent redirect to HTTPS (the ACME challenge path excepted).</summary>
    public bool Redirect { get; init; } = true;

    /// <summary>The Strict-Transport-Security max-age sent over HTTPS; null: no HSTS header.</summary>
    public TimeSpan? Hsts { get; init; }

    /// <summary>ACME: a certificate is renewed once it expires within this long.</summary>
    public TimeSpan RenewBefore { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>An ACME certificate authority and the account DeployMind registers with it.</summary>
/// <param name="Directory">The directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory).</param>
/// <param name="Email">The account's contact for expiry notices; null: an account without a contact.</param>
public sealed record AcmeAccount(Uri Directory, string? Email)
{
    /// <summary>Let's Encrypt's production directory, the default.</summary>
    public static readonly Uri LetsEncrypt = new("https://acme-v02.api.letsencrypt.org/directory");

    /// <summary>Let's Encrypt's staging directory (untrusted certificates, generous rate limits).</summary>
    public static readonly Uri LetsEncryptStaging = new("https://acme-staging-v02.api.letsencrypt.org/directory");

    /// <summary>A CA bundle (PEM file on the host) the ACME client trusts for the directory's HTTPS: a private ACME CA's.</summary>
    public string? CaBundle { get; init; }
}

/// <summary>An app's certificate on a host, as <c>deploymind certs list</c> shows it.</summary>
/// <param name="App">The app (its nginx site).</param>
/// <param name="Domains">The domains the site serves.</param>
/// <param name="Source">ACME or files.</param>
/// <param name="Path">The certificate file on the host.</param>
/// <param name="NotAfter">When it expires; null when there is no readable certificate.</param>
/// <param name="Names">The names the certificate is valid for.</param>
public sealed record CertificateInfo(string App, IReadOnlyList<string> Domains, TlsSource Source, string Path, DateTimeOffset? NotAfter, IReadOnlyList<string> Names)
{
    /// <summary>Whether the certificate covers every domain of the site.</summary>
    public bool CoversDomains => Domains.All(d => Names.Any(n => string.Equals(n, d, StringComparison.OrdinalIgnoreCase)));
}

/// <summary>What a renewal did for one app.</summary>
/// <param name="App">The app.</param>
/// <param name="Outcome">renewed, current (not due), or failed.</param>
/// <param name="Detail">The new expiry, or why it failed.</param>
public sealed record CertificateRenewal(string App, string Outcome, string Detail)
{
    public bool Failed => Outcome == "failed";
}

/// <summary>A certificate could not be issued or installed (the domain does not point at the host, the CA refused, …); nothing served changed.</summary>
public sealed class CertificateException : Domain.DeployMindException
{
    public CertificateException(string message)
        : base(message)
    {
    }

    public CertificateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CertificateException()
    {
    }
}
