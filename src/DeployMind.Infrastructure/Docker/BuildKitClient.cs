namespace DeployMind.Infrastructure.Docker;

/// <summary>How to reach BuildKit: <c>docker buildx build</c>, or <c>docker build</c> with <c>DOCKER_BUILDKIT=1</c> through a client that still offers the engine's built-in BuildKit (clients before 23.0).</summary>
/// <param name="Program">The docker client to run ("docker", or the path of another client on PATH).</param>
/// <param name="Buildx">True for <c>docker buildx build --load</c>.</param>
internal sealed record BuildKitClient(string Program, bool Buildx);
