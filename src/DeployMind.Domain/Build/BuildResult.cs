namespace DeployMind.Domain.Build;

/// <summary>The outcome of one image build.</summary>
/// <param name="Success">The image was built and tagged.</param>
/// <param name="ImageTag">The tag asked for (e.g. "shop-api:3f2a1bc").</param>
/// <param name="ImageId">The image id (sha256:...) when built.</param>
/// <param name="SizeMb">Image size in MB (10^6 bytes) when built.</param>
/// <param name="Layers">Number of filesystem layers when built.</param>
/// <param name="Duration">Wall time of the build.</param>
/// <param name="CacheHits">Build steps answered from the layer cache.</param>
/// <param name="Warnings">Warnings the builder printed.</param>
/// <param name="Log">The whole build log, line by line, secrets redacted.</param>
/// <param name="Error">For a failed build: one clear message quoting the failing step and the last log lines.</param>
/// <param name="FailedStep">For a failed build: the instruction that failed, as the builder printed it.</param>
public sealed record BuildResult(
    bool Success,
    string ImageTag,
    string? ImageId,
    double SizeMb,
    int Layers,
    TimeSpan Duration,
    int CacheHits,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Log,
    string? Error,
    string? FailedStep)
{
    /// <summary>The builder that ran, e.g. "BuildKit (the engine's built-in, DOCKER_BUILDKIT=1)" or "classic builder"; null when unknown.</summary>
    public string? Builder { get; init; }
}
