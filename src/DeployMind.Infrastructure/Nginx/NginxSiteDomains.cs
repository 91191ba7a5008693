namespace DeployMind.Infrastructure.Nginx;

/// <summary>How a site serves its domains on the host's shared ports: where, the challenge webroot, and its certificate.</summary>
/// <param name="ListenAddress">The shared ports' address.</param>
/// <param name="HttpPort">The shared HTTP port.</param>
/// <param name="HttpsPort">The shared HTTPS port.</param>
/// <param name="ChallengeDirectory">The HTTP-01 webroot.</param>
/// <param name="CertificateFile">The certificate chain when the site serves HTTPS (the file exists); null: HTTP only.</param>
/// <param name="KeyFile">Its private key.</param>
internal sealed record NginxSiteDomains(string ListenAddress, int HttpPort, int HttpsPort, string ChallengeDirectory, string? CertificateFile, string? KeyFile);
