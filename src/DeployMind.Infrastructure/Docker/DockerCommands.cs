using DeployMind.Application.Build;
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
        var args = new List<string> { "build", "--tag", request.ImageTag, "--file", request.DockerfilePath };
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
}
