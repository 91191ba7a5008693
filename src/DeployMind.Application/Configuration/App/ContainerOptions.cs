using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>target.docker.container:</c> how each release's container runs on a Docker host: an init process, the stop
/// timeout, the restart policy, CPU and memory limits, named volumes and bind mounts.
/// </summary>
public sealed class ContainerOptions
{
    /// <summary>Run an init process as PID 1 (<c>docker run --init</c>) so SIGTERM reaches the app and zombies are reaped.</summary>
    public bool Init { get; set; } = true;

    /// <summary>Time the app gets to exit after SIGTERM before it is killed (<c>docker stop --time</c>).</summary>
    public string StopTimeout { get; set; } = "10s";

    /// <summary>unless-stopped (default), always, on-failure, on-failure:N or no.</summary>
    public string Restart { get; set; } = "unless-stopped";

    /// <summary>CPU limit in cores ("1.5"); none by default.</summary>
    public string? Cpus { get; set; }

    /// <summary>Memory limit ("512m", "1g"); none by default.</summary>
    public string? Memory { get; set; }

    /// <summary>Named volumes ("data:/var/lib/app") and bind mounts ("/srv/uploads:/app/uploads:ro").</summary>
    public List<string>? Volumes { get; set; }

    /// <summary>The settings, checked; <paramref name="key"/> is where this block is written (errors name the key).</summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key.</exception>
    public ContainerSettings ToSettings(string key)
    {
        var stop = Duration.Parse(StopTimeout, key + ".stopTimeout");
        if (stop > TimeSpan.FromHours(1))
        {
            throw new InvalidInputException($"{key}.stopTimeout: '{StopTimeout}' is too long; at most 1h.");
        }

        return new ContainerSettings
        {
            Init = Init,
            StopTimeout = stop,
            Restart = ContainerSettings.ParseRestart(Restart, key + ".restart"),
            Cpus = Cpus is null ? null : ContainerSettings.ParseCpus(Cpus, key + ".cpus"),
            MemoryBytes = Memory is null ? null : ContainerSettings.ParseMemory(Memory, key + ".memory"),
            Volumes = ContainerSettings.ParseVolumes(Volumes ?? [], key + ".volumes"),
        };
    }
}
