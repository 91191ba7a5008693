using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>Writes known-good multi-stage Dockerfiles from templates (never from an LLM).</summary>
public interface IDockerfileGenerator
{
    /// <summary>Generates the Dockerfile and .dockerignore for <paramref name="detection"/>.</summary>
    GeneratedDockerfile Generate(DetectionResult detection);
}
