namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A command that installs dependencies from manifest files, e.g. <c>npm ci</c> from package.json + package-lock.json.</summary>
/// <param name="Command">How to name it in a message ("npm ci", "pip install -r requirements.txt").</param>
/// <param name="Manifests">The files to COPY before it, space-separated ("package.json package-lock.json").</param>
internal sealed record DependencyInstall(string Command, string Manifests);
