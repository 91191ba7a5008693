namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// <c>nginx.domains:</c> how the router serves apps by name (an app's <c>domains</c>) on ports every app of a host
/// shares, and where certificates live on the host.
/// </summary>
public sealed class NginxDomainOptions
{
    /// <summary>
    /// The address the shared HTTP/HTTPS ports listen on. The default, 127.0.0.1, is reachable from the host only:
    /// serving the public means setting it (0.0.0.0, or the host's public address) on purpose.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>The shared HTTP port (ACME's HTTP-01 challenges arrive on 80).</summary>
    public int HttpPort { get; set; } = 80;

    /// <summary>The shared HTTPS port.</summary>
    public int HttpsPort { get; set; } = 443;

    /// <summary>Where certificates, keys and the ACME account live on the host (0700; keys 0600).</summary>
    public string TlsDirectory { get; set; } = "~/.deploymind/tls";

    /// <summary>
    /// The HTTP-01 webroot nginx serves <c>/.well-known/acme-challenge/</c> from; empty for <c>&lt;TlsDirectory&gt;/challenges</c>.
    /// nginx's workers must be able to read it: when the master runs as root they run as nobody, and a home of 0700
    /// (/root) hides it from them; then set a path such as /var/lib/deploymind/acme-challenges.
    /// </summary>
    public string? ChallengeDirectory { get; set; }

    /// <summary>The ACME client on the hosts: certbot (Debian package <c>certbot</c>), a name on PATH or a path.</summary>
    public string Certbot { get; set; } = "certbot";

    /// <summary>How long one issuance may take (the CA validates every domain).</summary>
    public string IssueTimeout { get; set; } = "3m";
}
