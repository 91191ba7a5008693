using System.ComponentModel.DataAnnotations;

namespace DeployMind.Application.Build;

/// <summary>The <c>build:</c> section of deploymind.yml.</summary>
public sealed class BuildOptions
{
    public const string SectionName = "build";

    /// <summary>The application folder inside the repository (monorepos), relative to the repository root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Path { get; set; } = ".";

    /// <summary>
    /// Base image table: a logical name (see <see cref="BaseImageCatalog"/>) mapped to the image reference to use,
    /// so a mirror or private registry can stand in for the official images.
    /// </summary>
    public Dictionary<string, string> BaseImages { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Network for RUN steps during builds (<c>docker build --network</c>); empty for the engine's default.</summary>
    public string? Network { get; set; }

    /// <summary>
    /// Which builder runs builds: <c>auto</c> (BuildKit when the engine offers it, through buildx or the engine's built-in
    /// BuildKit, else the classic builder), <c>buildkit</c> (fail when there is none) or <c>classic</c>.
    /// </summary>
    [AllowedValues("auto", "buildkit", "classic", ErrorMessage = "build.builder must be auto, buildkit or classic.")]
    public string Builder { get; set; } = "auto";

    /// <summary>Path the generated Dockerfile's HEALTHCHECK probes (where the runtime image has a client); empty for none.</summary>
    public string? HealthCheckPath { get; set; } = "/health";

    /// <summary>The registry images are pushed to and hosts pull from; none: images are streamed to the hosts that lack them.</summary>
    public RegistryOptions? Registry { get; set; }
}
