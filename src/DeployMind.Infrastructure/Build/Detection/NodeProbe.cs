using System.Text.Json;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Node.js from package.json: framework, package manager (packageManager field, then lockfile), entry and start.</summary>
internal sealed class NodeProbe : IStackProbe
{
    public const string Manifest = "package.json";
    public const int DefaultPort = 3000;

    /// <summary>Files <c>npm start</c> and people reach for when package.json names no "main" (that exists).</summary>
    public static readonly IReadOnlyList<string> EntryCandidates =
        ["server.js", "index.js", "app.js", "main.js", "src/index.js", "src/server.js", "src/app.js", "src/main.js"];

    /// <summary>
    /// Dependency → framework, most specific first: Next and Nest apps often list express or fastify too,
    /// and the meta-framework is what decides how the app starts.
    /// </summary>
    private static readonly (string Dependency, string Framework)[] Frameworks =
    [
        ("next", "next"),
        ("@nestjs/core", "nest"),
        ("fastify", "fastify"),
        ("@hapi/hapi", "hapi"),
        ("hapi", "hapi"),
        ("express", "express"),
    ];

    /// <summary>Lockfile → package manager, in the order they are tried when package.json names no packageManager.</summary>
    private static readonly (string File, string Manager)[] Lockfiles =
    [
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
        ("package-lock.json", "npm"),
        ("npm-shrinkwrap.json", "npm"),
    ];

    private static readonly string[] VersionFiles = [".nvmrc", ".node-version"];

    public Language Language => Language.Node;

    public IReadOnlyList<string> Manifests { get; } = [Manifest];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        if (!folder.FileExists(Manifest))
        {
            return null;
        }

        var candidate = new DetectionCandidate(Language.Node, Manifest, "npm") { Port = DefaultPort };
        candidate.Evidence.Add(Manifest);

        using var document = JsonManifest.TryParseObject(await folder.ReadTextAsync(Manifest, cancellationToken).ConfigureAwait(false));
        candidate.ManifestUnreadable = document is null;
        var root = document?.RootElement ?? default;

        DetectFramework(root, candidate);
        DetectPackageManager(folder, root, candidate);

        var scripts = JsonManifest.GetObject(root, "scripts");
        var startScript = JsonManifest.GetString(scripts, "start");
        var hasStart = startScript is not null;
        var hasStartProd = JsonManifest.GetString(scripts, "start:prod") is not null;
        if (JsonManifest.GetString(scripts, "build") is not null)
        {
            candidate.SetFact(DetectionFacts.BuildScript, DetectionFacts.True);
        }

        if (hasStart)
        {
            candidate.SetFact(DetectionFacts.StartScript, startScript);
            candidate.Evidence.Add("package.json: scripts.start");
        }

        candidate.EntryPoint = candidate.Framework switch
        {
            "next" => null,
            "nest" => folder.FileExists("src/main.ts") ? "dist/main.js" : ResolveEntry(folder, JsonManifest.GetString(root, "main")),
            _ => ResolveEntry(folder, JsonManifest.GetString(root, "main")),
        };

        candidate.StartCommand = (candidate.Framework, hasStart) switch
        {
            // Nest's "start" runs the CLI in watch-less dev mode; "start:prod" runs the compiled app.
            ("nest", _) when hasStartProd => RunScript(candidate.PackageManager, "start:prod"),
            (_, true) => RunScript(candidate.PackageManager, "start"),
            ("next", false) => Exec(candidate.PackageManager, "next start"),
            _ when candidate.EntryPoint is not null => Run(candidate.PackageManager, candidate.EntryPoint),
            _ => RunScript(candidate.PackageManager, "start"),
        };

        var engine = JsonManifest.GetString(JsonManifest.GetObject(root, "engines"), "node");
        candidate.SetFact(DetectionFacts.NodeVersion, engine ?? await ReadVersionFileAsync(folder, cancellationToken).ConfigureAwait(false));
        return candidate;
    }

    /// <summary>The Node entry file: "main" when it exists, else a conventional file, else "main" as declared (built later).</summary>
    public static string? ResolveEntry(AppFolder folder, string? main)
    {
        var declared = string.IsNullOrWhiteSpace(main) ? null : main.Trim().TrimStart('.', '/');
        if (declared is not null && folder.FileExists(declared))
        {
            return declared;
        }

        return folder.FirstExisting(EntryCandidates) ?? declared;
    }

    /// <summary>How a package manager runs a package.json script.</summary>
    public static string RunScript(string packageManager, string script) => packageManager switch
    {
        "bun" => $"bun run {script}",
        "pnpm" or "yarn" => $"{packageManager} {script}",
        _ => script == "start" ? "npm start" : $"npm run {script}",
    };

    /// <summary>How the runtime runs a file (bun runs it itself).</summary>
    public static string Run(string packageManager, string entry) =>
        packageManager == "bun" ? $"bun {entry}" : $"node {entry}";

    private static string Exec(string packageManager, string command) => packageManager switch
    {
        "bun" => $"bunx {command}",
        "pnpm" => $"pnpm exec {command}",
        "yarn" => $"yarn {command}",
        _ => $"npx {command}",
    };

    private static void DetectFramework(JsonElement root, DetectionCandidate candidate)
    {
        var dependencies = JsonManifest.GetKeys(root, "dependencies");
        var devDependencies = JsonManifest.GetKeys(root, "devDependencies");
        foreach (var (dependency, framework) in Frameworks)
        {
            if (dependencies.Contains(dependency, StringComparer.Ordinal))
            {
                candidate.SetFramework(framework, $"package.json: dependency {dependency}");
                return;
            }
        }

        foreach (var (dependency, framework) in Frameworks)
        {
            if (devDependencies.Contains(dependency, StringComparer.Ordinal))
            {
                candidate.SetFramework(framework, $"package.json: devDependency {dependency}");
                return;
            }
        }
    }

    private static void DetectPackageManager(AppFolder folder, JsonElement root, DetectionCandidate candidate)
    {
        // Corepack's "packageManager" field ("pnpm@9.1.0+sha...") is what the project pins; it wins over lockfiles.
        var declared = JsonManifest.GetString(root, "packageManager");
        var declaredName = declared?.Split('@', 2)[0].Trim();
        if (declaredName is "npm" or "pnpm" or "yarn" or "bun")
        {
            candidate.PackageManager = declaredName;
            candidate.Evidence.Add($"package.json: packageManager {declared}");
            var own = Lockfiles.FirstOrDefault(lockfile => lockfile.Manager == declaredName && folder.FileExists(lockfile.File));
            if (own.File is not null)
            {
                candidate.Lockfile = own.File;
                candidate.Evidence.Add(own.File);
            }

            return;
        }

        foreach (var (file, manager) in Lockfiles)
        {
            if (folder.FileExists(file))
            {
                candidate.PackageManager = manager;
                candidate.Lockfile = file;
                candidate.Evidence.Add(file);
                return;
            }
        }
    }

    private static async Task<string?> ReadVersionFileAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        foreach (var file in VersionFiles)
        {
            var line = await folder.ReadFirstLineAsync(file, cancellationToken).ConfigureAwait(false);
            if (line is not null)
            {
                return line;
            }
        }

        return null;
    }
}
