namespace DeployMind.Domain.Build;

/// <summary>
/// What <c>LanguageDetector</c> found in an application folder, and why.
/// </summary>
/// <param name="AppPath">Absolute path of the application folder that was inspected.</param>
/// <param name="Language">The detected language.</param>
/// <param name="Framework">The web framework (e.g. "express", "flask", "spring-boot"), or null when none was recognised.</param>
/// <param name="EntryPoint">The file the app starts from (e.g. "server.js", "app.py", "main.go"), or null when the build tool decides (Maven, Cargo...).</param>
/// <param name="StartCommand">The command that starts the app in the container (a Procfile's <c>web:</c> line wins).</param>
/// <param name="Port">The port the app listens on by default; containers get it in <c>PORT</c>. <see cref="PortSource"/> says where it came from.</param>
/// <param name="PackageManager">npm, pnpm, yarn, bun, pip, poetry, pipenv, go, maven, gradle, bundler, cargo, composer, dotnet.</param>
/// <param name="Lockfile">The lockfile found (e.g. "package-lock.json"), or null.</param>
/// <param name="HasDockerfile">The folder already has a Dockerfile (it is used as is).</param>
/// <param name="HasDockerignore">The folder already has a .dockerignore.</param>
/// <param name="Evidence">The files (and facts in them) that decided, in the order they were weighed.</param>
/// <param name="Confidence">0..1: 1 when a manifest and a framework agree, lower when the guess rests on loose files; at most 0.7 when the port is only the framework's default.</param>
public sealed record DetectionResult(
    string AppPath,
    Language Language,
    string? Framework,
    string? EntryPoint,
    string StartCommand,
    int Port,
    string PackageManager,
    string? Lockfile,
    bool HasDockerfile,
    bool HasDockerignore,
    IReadOnlyList<string> Evidence,
    double Confidence)
{
    /// <summary>Language-specific facts the Dockerfile templates need (e.g. "buildScript", "goModule", "jarName", "rubyVersion").</summary>
    public IReadOnlyDictionary<string, string> Facts { get; init; } = new Dictionary<string, string>();

    /// <summary>A Procfile's <c>web:</c> process overrode the detected start command.</summary>
    public bool StartCommandFromProcfile { get; init; }

    /// <summary>Where <see cref="Port"/> came from; <see cref="PortSource.Default"/> when it is only the framework's default.</summary>
    public PortSource PortSource { get; init; }

    /// <summary>The file and line that gave the port (e.g. "server.js:12", "Dockerfile:5", "package.json: scripts.start"), or null when none did.</summary>
    public string? PortLocation { get; init; }
}
