using System.Globalization;
using DeployMind.Application.Build;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Docker;

/// <summary>Builds docker CLI commands as data (no execution here).</summary>
internal static class DockerCommands
{
    public const string Program = "docker";

    /// <summary>Format for <see cref="InspectImage"/>: id, size in bytes, layer count, separated by '|'.</summary>
    public const string InspectFormat = "{{.Id}}|{{.Size}}|{{len .RootFS.Layers}}";

    /// <summary><c>docker build</c> for <paramref name="request"/>; build-arg values are marked as secrets.</summary>
    public static CommandSpec Build(ImageBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // --force-rm: the classic builder otherwise leaves the container of a failed step behind.
        var args = new List<string> { "build", "--force-rm", "--tag", request.ImageTag, "--file", request.DockerfilePath };
        if (!string.IsNullOrWhiteSpace(request.Network))
        {
            args.Add("--network");
            args.Add(request.Network);
        }

        if (request.NoCache)
        {
            args.Add("--no-cache");
        }

        foreach (var (name, value) in request.BuildArgs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--build-arg");
            args.Add($"{name}={value}");
        }

        foreach (var (name, value) in request.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--label");
            args.Add($"{name}={value}");
        }

        args.Add(request.ContextPath);
        var spec = new CommandSpec(Program, args);
        foreach (var value in request.BuildArgs.Values)
        {
            spec = spec.WithSecret(value);
        }

        return spec;
    }

    /// <summary><c>docker image inspect</c> printing <see cref="InspectFormat"/>.</summary>
    public static CommandSpec InspectImage(string image) =>
        CommandSpec.Create(Program, "image", "inspect", "--format", InspectFormat, image);

    /// <summary>
    /// <c>docker run</c>: detached, host network, PORT and HOST set, the spec's restart policy (unless stopped by default),
    /// init process, stop timeout, CPU and memory limits and volumes; env values are secrets.
    /// </summary>
    public static CommandSpec Run(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var args = new List<string>
        {
            "run", "--detach", "--name", spec.Name, "--network", "host", "--restart", spec.Restart,
            "--env", $"PORT={spec.Port.ToString(CultureInfo.InvariantCulture)}", "--env", $"HOST={spec.BindAddress}",
        };
        foreach (var (name, value) in spec.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--env");
            args.Add($"{name}={value}");
        }

        foreach (var (name, value) in spec.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            args.Add("--label");
            args.Add($"{name}={value}");
        }

        if (spec.Init)
        {
            args.Add("--init");
        }

        if (spec.StopTimeout is { } stopTimeout)
        {
            args.Add("--stop-timeout");
            args.Add(Seconds(stopTimeout));
        }

        if (spec.Cpus is { } cpus)
        {
            args.Add("--cpus");
            args.Add(cpus.ToString(CultureInfo.InvariantCulture));
        }

        if (spec.MemoryBytes is { } memory)
        {
            args.Add("--memory");
            args.Add(memory.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var volume in spec.Volumes)
        {
            args.Add("--volume");
            args.Add(volume);
        }

        args.Add(spec.Image);
        args.AddRange(spec.Command);
        var command = new CommandSpec(Program, args);
        foreach (var value in spec.Environment.Values)
        {
            command = command.WithSecret(value);
        }

        return command;
    }

    /// <summary><c>docker container inspect</c> of one or more containers (a JSON array).</summary>
    public static CommandSpec InspectContainers(IEnumerable<string> names) =>
        new(Program, ["container", "inspect", .. names]);

    /// <summary>Names of all containers (running or not) labelled with the app.</summary>
    public static CommandSpec ListByApp(string app) =>
        CommandSpec.Create(Program, "ps", "--all", "--no-trunc", "--filter", $"label={ContainerLabels.App}={app}", "--format", "{{.Names}}");

    /// <summary><c>docker top</c>: the container's processes (all of them, with their host PIDs in the PID column).</summary>
    public static CommandSpec Top(string name) => CommandSpec.Create(Program, "top", name);

    public static CommandSpec Logs(string name, int lines) =>
        CommandSpec.Create(Program, "logs", "--tail", lines.ToString(CultureInfo.InvariantCulture), name);

    public static CommandSpec Stop(string name, TimeSpan grace) =>
        CommandSpec.Create(Program, "stop", "--time", Seconds(grace), name);

    public static CommandSpec Start(string name) => CommandSpec.Create(Program, "start", name);

    public static CommandSpec Remove(string name) => CommandSpec.Create(Program, "rm", "--force", name);

    public static CommandSpec ImageId(string image) => CommandSpec.Create(Program, "image", "inspect", "--format", "{{.Id}}", image);

    /// <summary>Ids of every container (running or not) created from the image (any of its tags): <c>--filter ancestor</c>.</summary>
    public static CommandSpec ContainersOf(string image) =>
        CommandSpec.Create(Program, "ps", "--all", "--quiet", "--no-trunc", "--filter", $"ancestor={image}");

    public static CommandSpec RemoveImage(string image) => CommandSpec.Create(Program, "image", "rm", image);

    // Whole seconds, rounded up: docker's stop timeouts take no fraction.
    private static string Seconds(TimeSpan value) => ((int)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
