using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>PHP from composer.json: Laravel (artisan serve) or the built-in server over public/ (or the root).</summary>
internal sealed class PhpProbe : IStackProbe
{
    public const string Manifest = "composer.json";
    public const int DefaultPort = 8000;

    /// <summary>Package → framework.</summary>
    private static readonly (string Package, string Framework)[] Frameworks =
    [
        ("laravel/framework", "laravel"),
    ];

    public Language Language => Language.Php;

    public IReadOnlyList<string> Manifests { get; } = [Manifest];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        if (!folder.FileExists(Manifest))
        {
            return null;
        }

        var candidate = new DetectionCandidate(Language.Php, Manifest, "composer");
        candidate.Evidence.Add(Manifest);
        using var document = JsonManifest.TryParseObject(await folder.ReadTextAsync(Manifest, cancellationToken).ConfigureAwait(false));
        candidate.ManifestUnreadable = document is null;
        var root = document?.RootElement ?? default;
        var required = JsonManifest.GetKeys(root, "require");
        foreach (var (package, framework) in Frameworks)
        {
            if (required.Contains(package, StringComparer.Ordinal))
            {
                candidate.SetFramework(framework, $"composer.json: dependency {package}");
                break;
            }
        }

        if (folder.FileExists("composer.lock"))
        {
            candidate.Lockfile = "composer.lock";
            candidate.Evidence.Add("composer.lock");
        }

        candidate.SetFact(DetectionFacts.PhpVersion, JsonManifest.GetString(JsonManifest.GetObject(root, "require"), "php"));
        Compose(folder, candidate);
        return candidate;
    }

    /// <summary>Entry, port and start command: <c>artisan serve</c> for Laravel, else PHP's built-in server.</summary>
    public static void Compose(AppFolder folder, DetectionCandidate candidate)
    {
        candidate.Port = DefaultPort;
        if (candidate.Framework == "laravel")
        {
            var artisan = folder.FileExists("artisan");
            candidate.EntryPoint = artisan ? "artisan" : "public/index.php";
            if (artisan)
            {
                candidate.Evidence.Add("artisan");
            }

            candidate.StartCommand = "php artisan serve --host=0.0.0.0 --port=$PORT";
            return;
        }

        var documentRoot = folder.DirectoryExists("public") ? "public" : ".";
        var index = documentRoot == "public" ? "public/index.php" : "index.php";
        candidate.EntryPoint = folder.FileExists(index) ? index : null;
        candidate.StartCommand = $"php -S 0.0.0.0:$PORT -t {documentRoot}";
    }
}
