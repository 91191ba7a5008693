using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Recognises one language from its manifests in the root of an application folder.</summary>
internal interface IStackProbe
{
    Language Language { get; }

    /// <summary>The manifest names this probe looks for (listed when nothing is recognised).</summary>
    IReadOnlyList<string> Manifests { get; }

    /// <summary>A candidate when one of <see cref="Manifests"/> is in the root of <paramref name="folder"/>, otherwise null.</summary>
    Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken);
}
