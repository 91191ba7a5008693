namespace DeployMind.Application.Build;

/// <summary>One image to build.</summary>
/// <param name="ContextPath">The build context folder.</param>
/// <param name="DockerfilePath">The Dockerfile to build (may lie outside the context).</param>
/// <param name="ImageTag">The tag to give the image, e.g. "shop-api:3f2a1bc".</param>
public sealed record ImageBuildRequest(string ContextPath, string DockerfilePath, string ImageTag)
{
    /// <summary>Build arguments (<c>--build-arg</c>); values are redacted from logs.</summary>
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Network for RUN steps (<c>--network</c>), e.g. "host"; null for the engine's default.</summary>
    public string? Network { get; init; }

    /// <summary>The builder to use; null for the one the engine offers (<see cref="IImageBuilder.ProbeAsync"/>).</summary>
    public ImageBuilderKind? Builder { get; init; }

    /// <summary>Build without the layer cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Labels to put on the image (app, commit...).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
