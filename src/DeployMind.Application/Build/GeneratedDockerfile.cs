namespace DeployMind.Application.Build;

/// <summary>A Dockerfile and .dockerignore generated for a detected application.</summary>
/// <param name="Dockerfile">The Dockerfile text.</param>
/// <param name="Dockerignore">The .dockerignore text.</param>
/// <param name="BaseImages">The base images the Dockerfile pulls (after the configured mapping).</param>
public sealed record GeneratedDockerfile(string Dockerfile, string Dockerignore, IReadOnlyList<string> BaseImages);
