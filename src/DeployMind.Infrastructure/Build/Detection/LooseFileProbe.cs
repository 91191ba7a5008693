using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// The last resort when no manifest is in the root: counts source files in the root and at most two levels down
/// (skipping <see cref="AppFolder.IgnoredDirectories"/> and hidden folders), prefers a language with an entry file
/// in the root, and sniffs that file's imports for a framework. Its guesses never score above 0.6.
/// Only languages that run without a build manifest are guessed (Python, Go, Node.js, Ruby, PHP).
/// </summary>
internal static class LooseFileProbe
{
    private const int MaxDepth = 2;

    /// <summary>Languages in tie-break order, with the source extensions counted for each.</summary>
    private static readonly (Language Language, string[] Extensions)[] Languages =
    [
        (Language.Python, [".py"]),
        (Language.Go, [".go"]),
        (Language.Node, [".js", ".mjs", ".cjs"]),
        (Language.Ruby, [".rb"]),
        (Language.Php, [".php"]),
    ];

    private static readonly string[] PythonEntries = ["main.py", "app.py", "wsgi.py", "manage.py", "server.py", "run.py", "application.py"];
    private static readonly string[] RubyEntries = ["app.rb", "main.rb", "server.rb", "config.ru"];
    private static readonly string[] PhpEntries = ["index.php", "public/index.php"];

    /// <summary>Per language: framework and the import that reveals it in an entry file, most specific first.</summary>
    private static readonly (Language Language, string Framework, Regex Import)[] Imports =
    [
        (Language.Python, "django", PythonImport("django")),
        (Language.Python, "fastapi", PythonImport("fastapi")),
        (Language.Python, "flask", PythonImport("flask")),
        (Language.Python, "tornado", PythonImport("tornado")),
        (Language.Node, "next", NodeImport("next")),
        (Language.Node, "nest", NodeImport("@nestjs/core")),
        (Language.Node, "fastify", NodeImport("fastify")),
        (Language.Node, "hapi", NodeImport("@hapi/hapi")),
        (Language.Node, "express", NodeImport("express")),
        (Language.Go, "gin", GoImport("github.com/gin-gonic/gin")),
        (Language.Go, "echo", GoImport("github.com/labstack/echo")),
        (Language.Go, "fiber", GoImport("github.com/gofiber/fiber")),
        (Language.Go, "chi", GoImport("github.com/go-chi/chi")),
        (Language.Ruby, "sinatra", RubyRequire("sinatra")),
    ];

    /// <summary>A guess from loose source files, or null when none of the guessable languages has any.</summary>
    public static async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var files = folder.ScanFiles(MaxDepth, cancellationToken);
        var best = Languages
            .Select((language, order) => (
                language.Language,
                Order: order,
                Count: files.Count(file => language.Extensions.Any(extension => file.EndsWith(extension, StringComparison.Ordinal))),
                Entry: RootEntry(folder, language.Language, files)))
            // Loose .js files are usually front-end assets: Node.js needs a server entry file in the root to be guessed.
            .Where(language => language.Entry is not null || (language.Count > 0 && language.Language != Language.Node))
            .OrderByDescending(language => language.Entry is not null)
            .ThenByDescending(language => language.Count)
            .ThenBy(language => language.Order)
            .FirstOrDefault();
        if (best.Count == 0 && best.Entry is null)
        {
            return null;
        }

        var extension = Languages[best.Order].Extensions[0];
        var packageManager = best.Language switch
        {
            Language.Python => "pip",
            Language.Go => "go",
            Language.Node => "npm",
            Language.Ruby => "bundler",
            _ => "composer",
        };
        var candidate = new DetectionCandidate(best.Language, $"*{extension}", packageManager)
        {
            FromLooseFiles = true,
            LooseEntryInRoot = best.Entry is not null,
        };
        candidate.Evidence.Add($"{best.Count} *{extension} file(s), no manifest");
        if (best.Entry is not null)
        {
            candidate.Evidence.Add(best.Entry);
            await SniffFrameworkAsync(folder, candidate, best.Entry, cancellationToken).ConfigureAwait(false);
        }

        switch (best.Language)
        {
            case Language.Python:
                await PythonProbe.ComposeAsync(folder, candidate, new Dictionary<string, string>(), [], cancellationToken).ConfigureAwait(false);
                break;
            case Language.Go:
            {
                var (entry, package) = await GoProbe.FindMainAsync(folder, module: null, cancellationToken).ConfigureAwait(false);
                candidate.EntryPoint = entry;
                candidate.Port = GoProbe.DefaultPort;
                candidate.StartCommand = GoProbe.StartCommand;
                candidate.SetFact(DetectionFacts.GoMainPackage, package);
                break;
            }

            case Language.Node:
                candidate.EntryPoint = best.Entry;
                candidate.Port = NodeProbe.DefaultPort;
                candidate.StartCommand = NodeProbe.Run(candidate.PackageManager, best.Entry ?? "index.js");
                break;
            case Language.Ruby:
                await RubyProbe.ComposeAsync(folder, candidate, bundled: false, cancellationToken).ConfigureAwait(false);
                break;
            default:
                PhpProbe.Compose(folder, candidate);
                break;
        }

        return candidate;
    }

    private static string? RootEntry(AppFolder folder, Language language, IReadOnlyList<string> files) => language switch
    {
        Language.Python => folder.FirstExisting(PythonEntries),
        Language.Go => folder.FileExists("main.go") ? "main.go" : files.FirstOrDefault(file => !file.Contains('/', StringComparison.Ordinal) && file.EndsWith(".go", StringComparison.Ordinal)),
        Language.Node => folder.FirstExisting(NodeProbe.EntryCandidates),
        Language.Ruby => folder.FirstExisting(RubyEntries),
        _ => folder.FirstExisting(PhpEntries),
    };

    private static async Task SniffFrameworkAsync(AppFolder folder, DetectionCandidate candidate, string entry, CancellationToken cancellationToken)
    {
        var text = await folder.ReadTextAsync(entry, cancellationToken).ConfigureAwait(false);
        if (text is null)
        {
            return;
        }

        foreach (var (language, framework, import) in Imports)
        {
            if (language == candidate.Language && import.IsMatch(text))
            {
                candidate.SetFramework(framework, $"{entry}: imports {framework}");
                return;
            }
        }
    }

    private static Regex PythonImport(string module) =>
        new($@"^\s*(?:from|import)\s+{Regex.Escape(module)}\b", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static Regex NodeImport(string module) =>
        new($@"(?:require\(\s*|from\s+|import\s+)[""']{Regex.Escape(module)}[""']", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static Regex GoImport(string module) =>
        new($@"""{Regex.Escape(module)}(?:/v\d+)?""", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static Regex RubyRequire(string library) =>
        new($@"^\s*require\s*\(?\s*[""']{Regex.Escape(library)}[""']", RegexOptions.Multiline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
