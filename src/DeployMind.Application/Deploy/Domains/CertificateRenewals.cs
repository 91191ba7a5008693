using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Deploy.Domains;

/// <summary>
/// Renews the ACME certificates that are due on every Docker host this process's configuration names (each environment's
/// hosts, this machine when none are named): the server's housekeeping runs it, <c>deploymind certs renew</c> does the
/// same for one environment. Each host renews every site of its own that is due (the sites' files say which and how),
/// so apps deployed from other repositories to the same host are renewed too.
/// </summary>
public sealed partial class CertificateRenewals
{
    private readonly DeployService _deploys;
    private readonly AppOptions _app;
    private readonly ILogger<CertificateRenewals> _logger;

    public CertificateRenewals(DeployService deploys, IOptions<AppOptions> app, ILogger<CertificateRenewals> logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        _deploys = deploys;
        _app = app.Value;
        _logger = logger;
    }

    /// <summary>Renews what is due on every host once; a host that cannot be reached is logged and skipped. Never throws but on cancellation.</summary>
    public async Task<IReadOnlyList<(string Host, CertificateRenewal Renewal)>> RenewDueAsync(CancellationToken cancellationToken)
    {
        var hosts = new Dictionary<string, DeployHost>(StringComparer.Ordinal);
        var environments = _app.Environments.Count > 0 ? _app.Environments.Keys.ToArray() : ["production"];
        foreach (var environment in environments)
        {
            try
            {
                var command = new DeployCommand(".") { Environment = environment };
                if (_deploys.TargetKindOf(command) == Targets.DeployTargetKind.Docker)
                {
                    foreach (var host in _deploys.HostsOf(command))
                    {
                        hosts.TryAdd(host.Name, host);
                    }
                }
            }
            catch (Domain.DeployMindException ex)
            {
                LogHostsFailed(environment, ex.Message);
            }
        }

        var results = new List<(string, CertificateRenewal)>();
        foreach (var host in hosts.Values)
        {
            try
            {
                foreach (var renewal in await host.Router.RenewCertificatesAsync(force: false, app: null, cancellationToken))
                {
                    results.Add((host.Name, renewal));
                    if (renewal.Outcome == "renewed")
                    {
                        LogRenewed(renewal.App, host.Name, renewal.Detail);
                    }
                    else if (renewal.Failed)
                    {
                        LogFailed(renewal.App, host.Name, renewal.Detail);
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHostFailed(host.Name, ex.Message);
            }
        }

        return results;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the certificate of {App} on {Host}: {Detail}")]
    private partial void LogRenewed(string app, string host, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The certificate of {App} on {Host} is due and was not renewed (the current one keeps serving): {Reason}")]
    private partial void LogFailed(string app, string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal skipped host {Host}: {Reason}")]
    private partial void LogHostFailed(string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal skipped environment {Environment}: {Reason}")]
    private partial void LogHostsFailed(string environment, string reason);
}
