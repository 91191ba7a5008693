using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Deploy.Domains;

/// <summary>
/// Renews the ACME certificates that are due on every Docker host this process's configuration names (each environment's
/// hosts, this machine when none are named): the server's housekeeping runs it, <c>deploymind certs renew</c> does the
/// same for one environment. Each host renews every site of its own that is due (the sites' files say which and how),
/// so apps deployed from other repositories to the same host are renewed too.
/// </summary>
/// <remarks>
/// A renewal changes a host's nginx (the certificate files, a reloaded site), so it holds the environment's target locks
/// (<see cref="TargetLocks"/>, the same <c>docker:&lt;host&gt;</c> locks deploys and rollbacks take, in any process sharing
/// the lock store): a renewal never runs beside a deploy of the host, nor beside another renewal from another process.
/// </remarks>
public sealed partial class CertificateRenewals
{
    /// <summary>The outcome of a host whose lock someone else held (housekeeping does not wait).</summary>
    public const string Skipped = "skipped";

    private readonly DeployService _deploys;
    private readonly AppOptions _app;
    private readonly TargetLocks _locks;
    private readonly ILogger<CertificateRenewals> _logger;

    public CertificateRenewals(DeployService deploys, IOptions<AppOptions> app, TargetLocks locks, ILogger<CertificateRenewals> logger)
    {
        ArgumentNullException.ThrowIfNull(app);
        _deploys = deploys;
        _app = app.Value;
        _locks = locks;
        _logger = logger;
    }

    /// <summary>
    /// Renews what is due on every host once, each environment under its hosts' locks; an environment whose lock is held
    /// (a deploy, or a renewal by another process) is skipped until the next run, a host that cannot be reached is logged
    /// and skipped. Never throws but on cancellation.
    /// </summary>
    public async Task<IReadOnlyList<(string Host, CertificateRenewal Renewal)>> RenewDueAsync(CancellationToken cancellationToken)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var results = new List<(string, CertificateRenewal)>();
        var environments = _app.Environments.Count > 0 ? _app.Environments.Keys.ToArray() : ["production"];
        foreach (var environment in environments)
        {
            try
            {
                var command = new DeployCommand(".") { Environment = environment };
                if (_deploys.TargetKindOf(command) != Targets.DeployTargetKind.Docker)
                {
                    continue;
                }

                // Environments sharing a host renew it once.
                var hosts = _deploys.HostsOf(command).Where(h => !done.Contains(h.Name)).ToArray();
                if (hosts.Length == 0)
                {
                    continue;
                }

                var renewed = await RenewUnderLockAsync(command, hosts, force: false, app: null, TimeSpan.Zero, _ => { }, "housekeeping", cancellationToken);
                results.AddRange(renewed);
                if (!renewed.Any(r => r.Renewal.Outcome == Skipped))
                {
                    done.UnionWith(hosts.Select(h => h.Name));
                }
            }
            catch (Domain.DeployMindException ex)
            {
                LogHostsFailed(environment, ex.Message);
            }
        }

        return results;
    }

    /// <summary>
    /// Renews the certificates of the command's environment on each of its hosts (<paramref name="force"/>: every one;
    /// <paramref name="app"/>: only that app's) under the environment's target locks, waiting up to
    /// <paramref name="lockWait"/> while another run holds one (<paramref name="waiting"/> hears whom it waits for).
    /// </summary>
    /// <exception cref="LockWaitTimeoutException">A lock was still held after <paramref name="lockWait"/>: nothing was renewed.</exception>
    public async Task<IReadOnlyList<(string Host, CertificateRenewal Renewal)>> RenewAsync(
        DeployCommand command, bool force, string? app, TimeSpan lockWait, Action<string> waiting, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        return await RenewUnderLockAsync(command, _deploys.HostsOf(command), force, app, lockWait, waiting, who, cancellationToken);
    }

    private async Task<IReadOnlyList<(string Host, CertificateRenewal Renewal)>> RenewUnderLockAsync(
        DeployCommand command, IReadOnlyList<DeployHost> hosts, bool force, string? app, TimeSpan lockWait, Action<string> waiting, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        var targets = _deploys.TargetsOf(command);
        var owner = TargetLocks.OwnerOf(who, app is null ? $"certificate renewal ({command.Environment})" : $"certificate renewal of {app} ({command.Environment})");
        HeldLocks held;
        if (lockWait > TimeSpan.Zero)
        {
            held = await _locks.AcquireAsync(targets, owner, lockWait, waiting, cancellationToken);
        }
        else
        {
            var (acquired, busy, holder) = await _locks.TryAcquireAsync(targets, owner, cancellationToken);
            if (acquired is null)
            {
                var reason = $"the lock of {busy} is held by {holder?.Owner ?? "another run (it was freed a moment ago)"}: nothing was renewed; renew once it is free (the server's housekeeping tries again at its next run)";
                waiting(reason);
                LogSkipped(command.Environment, reason);
                return [.. hosts.Select(h => (h.Name, new CertificateRenewal(app ?? "*", Skipped, reason)))];
            }

            held = acquired;
        }

        // Disposed after the locks (whose heartbeat may cancel it until then).
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using (held)
        {
            string? lostReason = null;
            held.KeepAlive(reason =>
            {
                lostReason = reason;
                lost.Cancel();
            });
            var results = new List<(string, CertificateRenewal)>();
            foreach (var host in hosts)
            {
                try
                {
                    // Fenced like a deploy's step: a holder whose lock expired and was taken changes nothing more.
                    if (!await held.FenceAsync(lost.Token))
                    {
                        results.Add((host.Name, new CertificateRenewal(app ?? "*", "failed", $"a newer holder of the lock of {string.Join(", ", targets)} exists: this renewal stopped before changing {host.Name}")));
                        continue;
                    }

                    foreach (var renewal in await host.Router.RenewCertificatesAsync(force, app, lost.Token))
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
                catch (OperationCanceledException) when (lostReason is not null && !cancellationToken.IsCancellationRequested)
                {
                    results.Add((host.Name, new CertificateRenewal(app ?? "*", "failed", $"{lostReason}: the renewal stopped; what was renewed stays")));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogHostFailed(host.Name, ex.Message);
                    results.Add((host.Name, new CertificateRenewal(app ?? "*", "failed", $"{host.Name} could not be renewed: {ex.Message}")));
                }
            }

            return results;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the certificate of {App} on {Host}: {Detail}")]
    private partial void LogRenewed(string app, string host, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "The certificate of {App} on {Host} is due and was not renewed (the current one keeps serving): {Reason}")]
    private partial void LogFailed(string app, string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal skipped host {Host}: {Reason}")]
    private partial void LogHostFailed(string host, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate renewal skipped environment {Environment}: {Reason}")]
    private partial void LogHostsFailed(string environment, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Certificate renewal of environment {Environment} skipped this time: {Reason}")]
    private partial void LogSkipped(string environment, string reason);
}
