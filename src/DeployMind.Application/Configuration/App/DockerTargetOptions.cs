namespace DeployMind.Application.Configuration;

/// <summary><c>target.docker:</c> Docker hosts behind their own nginx.</summary>
public sealed class DockerTargetOptions
{
    /// <summary>The hosts, deployed in this order; none means this machine.</summary>
    public List<HostOptions>? Hosts { get; set; }

    /// <summary>The port nginx serves the app on, on every host.</summary>
    public int Port { get; set; } = 8080;

    /// <summary>Rolling: hosts switched at once.</summary>
    public int BatchSize { get; set; } = 1;

    /// <summary>Time for in-flight requests after traffic leaves a container.</summary>
    public string Drain { get; set; } = "2s";

    /// <summary>How many hosts receive the image at once (a pull from the registry, or the image streamed to them).</summary>
    public int DeliveryConcurrency { get; set; } = 3;

    /// <summary>How each release's container runs: init process, stop timeout, restart policy, limits, volumes.</summary>
    public ContainerOptions Container { get; set; } = new();
}
