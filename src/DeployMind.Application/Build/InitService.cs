using DeployMind.Domain;
using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>
/// <c>deploymind init</c>: writes a Dockerfile, a .dockerignore and a starter deploymind.yml into an app folder
/// when they are missing. An existing Dockerfile is never overwritten unless asked (<c>--force</c>).
/// </summary>
public sealed class InitService
{
    private readonly ILanguageDetector _detector;
    private readonly IDockerfileGenerator _generator;

    public InitService(ILanguageDetector detector, IDockerfileGenerator generator)
    {
        _detector = detector;
        _generator = generator;
    }

    public async Task<InitResult> InitAsync(string appPath, bool force, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(appPath);
        var detection = await _detector.DetectAsync(fullPath, cancellationToken);
        var generated = _generator.Generate(detection);
        var files = new List<InitFile>
        {
            await WriteAsync(fullPath, "Dockerfile", generated.Dockerfile, force, cancellationToken),
            await WriteAsync(fullPath, ".dockerignore", generated.Dockerignore, force, cancellationToken),
            await WriteAsync(fullPath, "deploymind.yml", StarterConfig(fullPath, detection), overwrite: false, cancellationToken),
        };
        return new InitResult(detection, files);
    }

    internal static string StarterConfig(string appPath, DetectionResult detection) =>
        $"""
        # DeployMind configuration: see docs/configuration.md for every key.
        app: {ImageNames.Repository(Path.GetFileName(appPath))}
        build:
          path: .
          # Map base images to a mirror or private registry, e.g.:
          # baseImages:
          #   node: registry.example.com/node:20-bookworm-slim
        environments:
          production:
            branch: main
            strategy: rolling
            target:
              docker:
                hosts: [ {"{"} name: local {"}"} ]
                port: {detection.Port}
            healthCheck: {"{"} path: /health, interval: 2s, timeout: 2s, successes: 3, deadline: 60s {"}"}
        """ + "\n";

    private static async Task<InitFile> WriteAsync(string folder, string name, string content, bool overwrite, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, name);
        var exists = File.Exists(path);
        if (exists && !overwrite)
        {
            return new InitFile(name, InitFileAction.Kept);
        }

        try
        {
            await File.WriteAllTextAsync(path, content, cancellationToken);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new DeployMindException($"Cannot write '{path}': {ex.Message}", ex);
        }

        return new InitFile(name, exists ? InitFileAction.Overwritten : InitFileAction.Created);
    }
}

/// <summary>What <see cref="InitService"/> did.</summary>
public sealed record InitResult(DetectionResult Detection, IReadOnlyList<InitFile> Files);

/// <summary>One file <c>init</c> considered.</summary>
public sealed record InitFile(string Name, InitFileAction Action);

/// <summary>What happened to a file.</summary>
public enum InitFileAction
{
    Created,
    Kept,
    Overwritten,
}
