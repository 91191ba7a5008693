using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Hosts;

namespace DeployMind.Application.Deploy;

/// <summary>
/// Where an app and environment are served on Docker hosts: the hosts and the nginx port of the newest deployment that
/// succeeded there. Flags that choose where an app lives (<c>--port</c>, <c>--host</c>) are remembered through it: left
/// out, the app stays where it is (a deploy never moves it silently to the default); given with another value, the deploy
/// is refused naming the one in use, unless it is asked to move (<c>--relocate</c>). The app's configuration, when it
/// names the port or hosts, is followed as written.
/// </summary>
/// <param name="Hosts">The recorded target: the host names, comma-separated ("local", "ssh://deploy@203.0.113.10:22").</param>
/// <param name="Port">The port nginx serves the app on.</param>
/// <param name="Deployment">The deployment that put it there.</param>
internal sealed record Placement(string Hosts, int Port, Deployment Deployment)
{
    /// <summary>Where <paramref name="app"/> is served in <paramref name="environment"/>, or null when nothing serves there (never deployed, or removed).</summary>
    public static async Task<Placement?> OfAsync(IDeploymentStore store, string app, string environment, CancellationToken cancellationToken)
    {
        var live = await LiveDeployment.FindAsync(store, app, environment, cancellationToken);
        return live is { ListenPort: { } port, Target: { Length: > 0 } target } ? new Placement(target, port, live) : null;
    }

    /// <summary>
    /// <paramref name="command"/> deploying where the app is served: the remembered port and host where the command and the
    /// configuration name none.
    /// </summary>
    /// <param name="command">The deploy, with its flags.</param>
    /// <param name="relocate">The user asked to move the app (<c>--relocate</c>).</param>
    /// <param name="portConfigured">The app's configuration names the environment's port.</param>
    /// <param name="hostsConfigured">The app's configuration names the environment's hosts.</param>
    /// <exception cref="InvalidInputException">A flag names another port or host than the one in use, and no move was asked for.</exception>
    public DeployCommand Apply(DeployCommand command, bool relocate, bool portConfigured, bool hostsConfigured)
    {
        ArgumentNullException.ThrowIfNull(command);
        var where = $"{Deployment.App} ({Deployment.Environment})";
        var by = $"deployment {Deployment.ShortId()}";
        if (command.Port is { } port && port != Port && !relocate)
        {
            throw new InvalidInputException(
                $"--port {port}: {where} is served on port {Port} ({by}); deploying on {port} would move it. "
                + $"Leave --port out to deploy where it is, or add --relocate to move it to {port} (nginx then serves it there instead of {Port}).");
        }

        if (command.Host is { } host && !SameHosts(host, Hosts) && !relocate)
        {
            throw new InvalidInputException(
                $"--host {host}: {where} is served on {Hosts} ({by}); deploying on {host} would start a second copy there. "
                + $"Leave --host out to deploy where it is, or add --relocate to deploy on {host} (the release on {Hosts} keeps running until you stop it there).");
        }

        return command with
        {
            Port = command.Port ?? (portConfigured ? null : Port),
            Host = command.Host ?? (hostsConfigured || !IsOneAddress(Hosts) ? null : Hosts),
        };
    }

    // "local" and "localhost" are the same machine; an ssh:// address as written.
    private static bool SameHosts(string host, string recorded) =>
        string.Equals(Normalize(host), Normalize(recorded), StringComparison.OrdinalIgnoreCase);

    private static string Normalize(string host) =>
        HostAddress.TryParse(host, out var address, out _) && address is HostAddress.LocalHost ? HostAddress.LocalName : host.Trim();

    // A host a --host flag put there (this machine or one SSH address), which a later deploy can be sent to again; named
    // hosts come from the configuration, which says where they are.
    private static bool IsOneAddress(string hosts) =>
        !hosts.Contains(',', StringComparison.Ordinal) && HostAddress.TryParse(hosts, out var address, out _) && address is not HostAddress.Ssm;
}
