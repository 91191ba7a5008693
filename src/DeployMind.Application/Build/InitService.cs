using DeployMind.Domain;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;

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

    /// <summary>Writes the missing files (all of them with <paramref name="force"/>, except an existing deploymind.yml).</summary>
    /// <param name="appPath">The app's folder.</param>
    /// <param name="force">Replace an existing Dockerfile and .dockerignore.</param>
    /// <param name="choices">The starter deploymind.yml's port and strategy (defaults: 8080, rolling).</param>
    /// <param name="cancellationToken">Stops it.</param>
    /// <exception cref="InvalidInputException">A port outside 1-65535 or an unknown strategy, named as the flag.</exception>
    public async Task<InitResult> InitAsync(string appPath, bool force, InitChoices? choices, CancellationToken cancellationToken)
    {
        choices ??= new InitChoices();
        if (choices.Port is < 1 or > 65535)
        {
            throw new InvalidInputException($"--port: {choices.Port} is not a port (1-65535). It is the port nginx serves the app on; the app itself listens on the port it is given in $PORT.");
        }

        var strategy = Configuration.EnvironmentOptions.ParseStrategy(choices.Strategy, "--strategy");
        var fullPath = Path.GetFullPath(appPath);
        var detection = await _detector.DetectAsync(fullPath, cancellationToken);
        var generated = _generator.Generate(detection);
        var files = new List<InitFile>
        {
            await WriteAsync(fullPath, "Dockerfile", generated.Dockerfile, force, cancellationToken),
            await WriteAsync(fullPath, ".dockerignore", generated.Dockerignore, force, cancellationToken),
            await WriteAsync(fullPath, "deploymind.yml", StarterConfig(fullPath, detection, choices.Port, strategy), overwrite: false, cancellationToken),
        };
        return new InitResult(detection, files);
    }

    /// <summary>
    /// The starter deploymind.yml: <paramref name="port"/> is nginx's (where users reach the app), never the app's own port,
    /// which DeployMind gives the container in <c>PORT</c>.
    /// </summary>
    internal static string StarterConfig(string appPath, DetectionResult detection, int port, StrategyKind strategy) =>
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
            strategy: {strategy.Name()}
            target:
              docker:
                hosts: [ {"{"} name: local {"}"} ]
                # The port nginx serves the app on. The app listens on the port DeployMind gives it in $PORT
                # ({detection.Port} when run outside DeployMind, as detected); the two need not be the same.
                port: {port}
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

/// <summary>What the starter deploymind.yml says (<c>init --port --strategy</c>).</summary>
/// <param name="Port">The port nginx serves the app on (<c>target.docker.port</c>), not the app's own.</param>
/// <param name="Strategy">rolling, canary or blue-green.</param>
public sealed record InitChoices(int Port = 8080, string Strategy = "rolling");

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
