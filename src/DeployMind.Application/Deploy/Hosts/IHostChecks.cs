using DeployMind.Application.Configuration;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>What <c>deploymind validate</c> checks on a host: that it answers and has what deploys need.</summary>
public interface IHostChecks
{
    /// <summary>
    /// One result per requirement (connection, Docker engine, nginx, ss, curl) and for the nginx sites (each served as
    /// written, no listen port — theirs or a configured one — held by another process); never throws for a failed check.
    /// </summary>
    /// <param name="host">The host.</param>
    /// <param name="listenPorts">The nginx ports the configuration serves apps on there, each with the key that sets it.</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    Task<IReadOnlyList<CheckResult>> CheckAsync(HostOptions host, IReadOnlyDictionary<int, string> listenPorts, CancellationToken cancellationToken);

    /// <summary>
    /// One result per check of an app's domains on a host: the ACME client is installed (TLS from ACME), each domain resolves
    /// to the host, its HTTP port answers the ACME challenge path through the app's site, and the certificate's expiry.
    /// </summary>
    Task<IReadOnlyList<CheckResult>> CheckDomainsAsync(HostOptions host, string app, IReadOnlyList<string> domains, SiteTls? tls, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CheckResult>>([]);
}

/// <summary>One check: what, whether it passed, and the detail (a version, or why it failed and what to do).</summary>
public sealed record CheckResult(string Name, bool Passed, string Detail)
{
    /// <summary>Passed, but something deserves a look (an unknown key in the configuration, which is ignored).</summary>
    public bool Warning { get; init; }
}
