namespace DeployMind.Application.Build;

/// <summary>Which builder runs <c>docker build</c>.</summary>
public enum ImageBuilderKind
{
    /// <summary>The classic (legacy) builder: one container per step, no cache mounts.</summary>
    Classic,

    /// <summary>BuildKit, through <c>docker buildx</c> or the engine's built-in BuildKit (<c>DOCKER_BUILDKIT=1</c>).</summary>
    BuildKit,
}

/// <summary>The builder the engine offers, as probed once per process.</summary>
/// <param name="Kind">Classic or BuildKit.</param>
/// <param name="Name">What reports show, e.g. "BuildKit (the engine's built-in, DOCKER_BUILDKIT=1)" or "classic builder".</param>
/// <param name="Reason">Why this builder was chosen (e.g. why BuildKit is not available), for logs and docs.</param>
public sealed record ImageBuilderInfo(ImageBuilderKind Kind, string Name, string Reason)
{
    /// <summary>Dockerfiles may use <c>RUN --mount=type=cache</c>.</summary>
    public bool SupportsCacheMounts => Kind == ImageBuilderKind.BuildKit;

    /// <summary>The classic builder, with why it was chosen.</summary>
    public static ImageBuilderInfo Classic(string reason) => new(ImageBuilderKind.Classic, "classic builder", reason);
}
