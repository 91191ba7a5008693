using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>Builds container images.</summary>
public interface IImageBuilder
{
    /// <summary>Builds and tags an image; a failed build is a result, not an exception.</summary>
    /// <param name="request">What to build.</param>
    /// <param name="progress">Receives every output line as it arrives.</param>
    /// <param name="cancellationToken">Stops the build (the builder process is killed).</param>
    Task<BuildResult> BuildAsync(ImageBuildRequest request, IProgress<BuildProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// The builder <see cref="BuildAsync"/> uses: BuildKit when the engine offers it, else the classic builder. Probed once
    /// per process (a few cheap <c>docker</c> calls) and remembered, so plans and builds agree.
    /// </summary>
    Task<ImageBuilderInfo> ProbeAsync(CancellationToken cancellationToken);
}
