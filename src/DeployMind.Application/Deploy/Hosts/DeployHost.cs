namespace DeployMind.Application.Deploy.Hosts;

/// <summary>A Docker host DeployMind deploys to: its containers, its router, and how to reach its apps.</summary>
/// <param name="Name">The host's name in configuration ("local", "web-1").</param>
/// <param name="Runtime">Its containers and images.</param>
/// <param name="Router">Its nginx.</param>
/// <param name="Probe">HTTP checks as seen from the host (apps bind 127.0.0.1 there).</param>
/// <param name="Ports">Free ports on the host for new containers.</param>
public sealed record DeployHost(string Name, IContainerRuntime Runtime, ITrafficRouter Router, IHttpProbe Probe, IPortAllocator Ports);

/// <summary>Finds ports nothing listens on, on one host.</summary>
public interface IPortAllocator
{
    /// <summary>A port in the allocation range that no process listens on and no container of the app was given.</summary>
    Task<int> AllocateAsync(IReadOnlySet<int> taken, CancellationToken cancellationToken);
}
