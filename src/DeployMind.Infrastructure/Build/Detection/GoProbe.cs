using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Go from go.mod: module, Go version, framework from the required modules, and the main package to build.</summary>
internal sealed partial class GoProbe : IStackProbe
{
    public const string Manifest = "go.mod";
    public const int DefaultPort = 8080;

    /// <summary>The binary the Dockerfile builds to; the container runs it.</summary>
    public const string StartCommand = "/app/server";

    /// <summary>Module path prefix → framework (major-version suffixes such as /v4 or /v5 match the prefix).</summary>
    private static readonly (string Module, string Framework)[] Frameworks =
    [
        ("github.com/gin-gonic/gin", "gin"),
        ("github.com/labstack/echo", "echo"),
        ("github.com/gofiber/fiber", "fiber"),
        ("github.com/go-chi/chi", "chi"),
    ];

    /// <summary>Names a cmd/ sub-folder of a service usually has, tried when there are several.</summary>
    private static readonly string[] PreferredCommands = ["server", "api", "app", "web", "service"];

    public Language Language => Language.Go;

    public IReadOnlyList<string> Manifests { get; } = [Manifest];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        if (!folder.FileExists(Manifest))
        {
            return null;
        }

        var candidate = new DetectionCandidate(Language.Go, Manifest, "go") { Port = DefaultPort, StartCommand = StartCommand };
        candidate.Evidence.Add(Manifest);
        var text = await folder.ReadTextAsync(Manifest, cancellationToken).ConfigureAwait(false) ?? string.Empty;
        var requirements = new List<string>();
        var inRequireBlock = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var comment = rawLine.IndexOf("//", StringComparison.Ordinal);
            var line = (comment >= 0 ? rawLine[..comment] : rawLine).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (inRequireBlock)
            {
                if (line.StartsWith(')'))
                {
                    inRequireBlock = false;
                }
                else
                {
                    requirements.Add(line.Split(' ', '\t')[0]);
                }

                continue;
            }

            var directive = Directive().Match(line);
            if (!directive.Success)
            {
                continue;
            }

            var value = directive.Groups[2].Value.Trim();
            switch (directive.Groups[1].Value)
            {
                case "module":
                    candidate.SetFact(DetectionFacts.GoModule, value.Trim('"'));
                    break;
                case "go":
                    candidate.SetFact(DetectionFacts.GoVersion, value);
                    break;
                case "require" when value == "(":
                    inRequireBlock = true;
                    break;
                case "require":
                    requirements.Add(value.Split(' ', '\t')[0]);
                    break;
            }
        }

        candidate.ManifestUnreadable = !candidate.Facts.ContainsKey(DetectionFacts.GoModule);
        foreach (var (module, framework) in Frameworks)
        {
            var required = requirements.FirstOrDefault(path => path == module || path.StartsWith(module + "/", StringComparison.Ordinal));
            if (required is not null)
            {
                candidate.SetFramework(framework, $"go.mod: dependency {required}");
                break;
            }
        }

        if (folder.FileExists("go.sum"))
        {
            candidate.Lockfile = "go.sum";
            candidate.Evidence.Add("go.sum");
        }

        var (entry, package) = await FindMainAsync(folder, candidate.Facts.GetValueOrDefault(DetectionFacts.GoModule), cancellationToken).ConfigureAwait(false);
        candidate.EntryPoint = entry;
        candidate.SetFact(DetectionFacts.GoMainPackage, package);
        return candidate;
    }

    /// <summary>
    /// The main package: main.go in the root, else cmd/&lt;name&gt;/main.go (one named after the module or a usual
    /// service name when there are several), else any root *.go file declaring <c>package main</c>.
    /// </summary>
    public static async Task<(string? Entry, string Package)> FindMainAsync(AppFolder folder, string? module, CancellationToken cancellationToken)
    {
        if (folder.FileExists("main.go"))
        {
            return ("main.go", ".");
        }

        var commands = folder.DirectoriesIn("cmd").Where(name => folder.FileExists($"cmd/{name}/main.go")).ToList();
        if (commands.Count > 0)
        {
            var moduleName = module?.Split('/')[^1];
            var chosen = commands.FirstOrDefault(name => name == moduleName)
                ?? PreferredCommands.FirstOrDefault(name => commands.Contains(name, StringComparer.Ordinal))
                ?? commands[0];
            return ($"cmd/{chosen}/main.go", $"./cmd/{chosen}");
        }

        foreach (var file in folder.FilesIn(string.Empty, "*.go").Where(name => !name.EndsWith("_test.go", StringComparison.Ordinal)))
        {
            var text = await folder.ReadTextAsync(file, cancellationToken).ConfigureAwait(false);
            if (text is not null && PackageMain().IsMatch(text))
            {
                return (file, ".");
            }
        }

        return (null, ".");
    }

    [GeneratedRegex(@"^(module|go|require)\s+(.+)$")]
    private static partial Regex Directive();

    [GeneratedRegex(@"^\s*package\s+main\b", RegexOptions.Multiline)]
    private static partial Regex PackageMain();
}
