using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Application.Deploy.Analysis;

/// <summary>
/// What the health checker may ask about the process behind the URL it checks, to say why it is not healthy before
/// the deadline: whether it still runs, which TCP ports it listens on, and what it printed last.
/// </summary>
/// <param name="Name">What runs, for messages: "container shop-r2".</param>
/// <param name="Liveness">Why it can no longer become healthy (it exited: code and last log lines), or null while it runs.</param>
public sealed record HealthWatch(string Name, Func<CancellationToken, Task<string?>> Liveness)
{
    /// <summary>The TCP ports its processes listen on (empty: none, or unknown); null when that cannot be found out.</summary>
    public Func<CancellationToken, Task<IReadOnlySet<int>?>>? ListeningPorts { get; init; }

    /// <summary>Its last log lines.</summary>
    public Func<CancellationToken, Task<IReadOnlyList<string>>>? Logs { get; init; }

    /// <summary>A release container on a host: its state, its sockets and its last <paramref name="logLines"/> log lines through <paramref name="runtime"/>.</summary>
    public static HealthWatch Container(IContainerRuntime runtime, string container, int logLines = 20)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return new HealthWatch($"container {container}", HealthChecker.ContainerLiveness(runtime, container, logLines))
        {
            ListeningPorts = cancellationToken => runtime.ListeningPortsAsync(container, cancellationToken),
            Logs = cancellationToken => runtime.LogsAsync(container, logLines, cancellationToken),
        };
    }
}
