using System.Globalization;

namespace DeployMind.Application.Deploy.Domains;

/// <summary>The certificates a deploy needs before anything switches.</summary>
public static class SiteCertificates
{
    /// <summary>
    /// For a request with domains over HTTPS, makes sure each host has the app's certificate (issued now if it has none
    /// or it is due). Runs before a container starts: a domain that does not point at a host, or a CA that refuses,
    /// fails the deploy here, and the serving release and every other app of the host stay as they are.
    /// </summary>
    /// <exception cref="Hosts.CertificateException">A host has no certificate for the domains, and none could be issued.</exception>
    public static async Task EnsureAsync(DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        if (request.Tls is not { } tls || request.Domains.Count == 0)
        {
            return;
        }

        foreach (var host in request.Hosts)
        {
            var certificate = await host.Router.EnsureCertificateAsync(request.Release.App, request.Domains, tls, force: false, cancellationToken);
            observer.Step(host.Name, string.Create(
                CultureInfo.InvariantCulture,
                $"certificate for {string.Join(", ", request.Domains)} ({tls.Source.ToString().ToLowerInvariant()}): valid until {certificate.NotAfter:yyyy-MM-dd HH:mm} UTC"));
        }
    }
}
