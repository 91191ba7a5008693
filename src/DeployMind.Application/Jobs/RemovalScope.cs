using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Application.Jobs;

/// <summary>What an <see cref="AppRemoval"/> removes besides the app's nginx site and containers.</summary>
public sealed record RemovalScope
{
    /// <summary>The images its releases ran (an image another container uses stays).</summary>
    public bool Images { get; init; }

    /// <summary>Named volumes to remove once the containers are gone (by name; one still mounted elsewhere stays).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    /// <summary>Host folders the app mounts: never removed, named in the record so nobody thinks they were.</summary>
    public IReadOnlyList<string> BindMounts { get; init; } = [];

    /// <summary>The named volumes and bind mounts of the environment's app containers (<c>target.docker.container.volumes</c>).</summary>
    public static RemovalScope WithVolumesOf(IReadOnlyList<string> volumes, bool images) => new()
    {
        Images = images,
        Volumes = VolumeMounts.Named(volumes),
        BindMounts = VolumeMounts.BindMounts(volumes),
    };
}
