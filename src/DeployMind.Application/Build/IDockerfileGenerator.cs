using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>Writes known-good multi-stage Dockerfiles from templates (never from an LLM).</summary>
public interface IDockerfileGenerator
{
    /// <summary>Generates the Dockerfile and .dockerignore for <paramref name="detection"/>.</summary>
    /// <param name="detection">The detected app.</param>
    /// <param name="cacheMounts">
    /// The BuildKit variant: <c>RUN --mount=type=cache</c> keeps the language's download and build caches (Go, npm, pip,
    /// Maven/Gradle, Cargo, NuGet) between builds. Without, the classic variant, which any builder builds.
    /// </param>
    GeneratedDockerfile Generate(DetectionResult detection, bool cacheMounts = false);
}
