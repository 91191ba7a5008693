using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Which files <see cref="PortFinder"/> reads: the entry file first, then the few a port is usually written in.</summary>
internal static partial class PortFinder
{
    private const int MaxNamedByEntry = 4;
    private const int MaxTopLevelSources = 8;

    private static readonly string[] NodeSources =
    [
        "bin/www", .. NodeProbe.EntryCandidates,
        "src/main.ts", "src/index.ts", "src/server.ts", "src/app.ts", "server.ts", "index.ts", "app.ts", "main.ts",
        "server.mjs", "index.mjs", "app.mjs",
    ];

    private static readonly string[] NodeExtensions = ["", ".js", ".ts", ".mjs", ".cjs", "/index.js", "/index.ts"];

    private static readonly string[] DotNetFiles = ["Program.cs", "Startup.cs", "appsettings.json", "Properties/launchSettings.json"];

    private static readonly string[] PythonSources = ["gunicorn.conf.py", "app/main.py", "app/__init__.py", "src/main.py", "src/app.py"];

    private static readonly string[] JavaSources =
    [
        "src/main/resources/application.properties", "src/main/resources/application.yml", "src/main/resources/application.yaml",
        "application.properties", "application.yml", "application.yaml",
    ];

    /// <summary>
    /// The files to read, the entry file first (it decides between literals): Node.js the entry and the local modules it
    /// names, then the usual server files; Python the entry, gunicorn.conf.py and the root modules; Go the entry's package
    /// and the root; Ruby the entry, config/puma.rb and the root scripts; Java Spring's application.properties/yml; .NET the
    /// project's Program.cs, appsettings.json and launchSettings.json; Rust src/main.rs and its neighbours. Never a
    /// <c>.env</c> file, never inside dependency or build folders, at most <see cref="MaxSourceFiles"/>.
    /// </summary>
    private static async Task<IReadOnlyList<string>> SourceFilesAsync(AppFolder folder, DetectionCandidate chosen, CancellationToken cancellationToken)
    {
        var entry = chosen.EntryPoint is { } declared && folder.FileExists(declared) ? declared : null;
        IEnumerable<string> files = chosen.Language switch
        {
            Language.Node => [.. Listed(entry), .. await NamedByNodeEntryAsync(folder, entry, cancellationToken).ConfigureAwait(false), .. NodeSources],
            Language.Python => [.. Listed(entry), .. PythonSources, .. folder.FilesIn(string.Empty, "*.py")],
            Language.Go => [.. Listed(entry), .. GoPackageOf(folder, entry), .. folder.FilesIn(string.Empty, "*.go")],
            Language.Ruby => [.. Listed(entry), "config/puma.rb", .. folder.FilesIn(string.Empty, "*.rb")],
            Language.Java => JavaSources,
            Language.DotNet => DotNetSources(chosen),
            Language.Rust => ["src/main.rs", .. folder.FilesIn("src", "*.rs").Select(name => "src/" + name)],
            _ => [],
        };

        return [.. files
            .Where(file => !file.EndsWith("_test.go", StringComparison.Ordinal) && IsReadable(file) && folder.FileExists(file))
            .Distinct(StringComparer.Ordinal)
            .Take(MaxSourceFiles)];
    }

    private static string[] Listed(string? file) => file is null ? [] : [file];

    /// <summary>Not a secrets file, not inside a dependency, build or hidden folder.</summary>
    private static bool IsReadable(string file)
    {
        var segments = file.Split('/');
        return !segments[^1].StartsWith(".env", StringComparison.Ordinal)
            && !segments[..^1].Any(segment => segment.StartsWith('.') || AppFolder.IgnoredDirectories.Contains(segment));
    }

    /// <summary>The local modules a Node.js entry file requires or imports (<c>require('./app')</c>, <c>from "./server.js"</c>).</summary>
    private static async Task<IReadOnlyList<string>> NamedByNodeEntryAsync(AppFolder folder, string? entry, CancellationToken cancellationToken)
    {
        var text = entry is null || folder.FileSize(entry) > MaxSourceBytes ? null : await folder.ReadTextAsync(entry, cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return [];
        }

        var directory = Path.GetDirectoryName(entry)?.Replace('\\', '/') ?? string.Empty;
        var named = new List<string>();
        try
        {
            foreach (Match match in NodeLocalImport().Matches(text))
            {
                var path = AppFolder.Resolve(directory, match.Groups["path"].Value);
                var file = path is null ? null : NodeExtensions.Select(extension => path + extension).FirstOrDefault(folder.FileExists);
                if (file is not null && !named.Contains(file, StringComparer.Ordinal))
                {
                    named.Add(file);
                }

                if (named.Count >= MaxNamedByEntry)
                {
                    break;
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // The named files are a bonus; the usual ones are still read.
        }

        return named;
    }

    /// <summary>The other files of the entry's Go package (cmd/api/main.go → cmd/api/*.go).</summary>
    private static IEnumerable<string> GoPackageOf(AppFolder folder, string? entry)
    {
        var directory = entry is null ? null : Path.GetDirectoryName(entry)?.Replace('\\', '/');
        return string.IsNullOrEmpty(directory)
            ? []
            : folder.FilesIn(directory, "*.go").Take(MaxTopLevelSources).Select(name => AppFolder.Combine(directory, name));
    }

    private static string[] DotNetSources(DetectionCandidate chosen)
    {
        var project = chosen.Facts.GetValueOrDefault(DetectionFacts.DotNetProject) ?? chosen.EntryPoint ?? string.Empty;
        var directory = Path.GetDirectoryName(project)?.Replace('\\', '/') ?? string.Empty;
        return [.. DotNetFiles.Select(file => AppFolder.Combine(directory, file))];
    }

    [GeneratedRegex("""(?:require\(\s*|from\s+|import\s+)['"](?<path>\.{1,2}/[^'"]+)['"]""", RegexOptions.CultureInvariant, TimeoutMilliseconds)]
    private static partial Regex NodeLocalImport();
}
