using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Rust from Cargo.toml: Axum or Actix Web, and the binary Cargo builds (the container runs it).</summary>
internal sealed class RustProbe : IStackProbe
{
    public const string Manifest = "Cargo.toml";
    public const int DefaultPort = 8080;

    /// <summary>Crate → framework.</summary>
    private static readonly (string Crate, string Framework)[] Frameworks =
    [
        ("axum", "axum"),
        ("actix-web", "actix"),
    ];

    public Language Language => Language.Rust;

    public IReadOnlyList<string> Manifests { get; } = [Manifest];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        if (!folder.FileExists(Manifest))
        {
            return null;
        }

        var candidate = new DetectionCandidate(Language.Rust, Manifest, "cargo") { Port = DefaultPort };
        candidate.Evidence.Add(Manifest);
        var cargo = TomlDocument.Parse(await folder.ReadTextAsync(Manifest, cancellationToken).ConfigureAwait(false) ?? string.Empty);
        candidate.ManifestUnreadable = !cargo.HasTable("package") && !cargo.HasTable("workspace");

        var crates = cargo.KeysOf("dependencies");
        foreach (var (crate, framework) in Frameworks)
        {
            if (crates.Contains(crate, StringComparer.Ordinal))
            {
                candidate.SetFramework(framework, $"Cargo.toml: dependency {crate}");
                break;
            }
        }

        if (folder.FileExists("Cargo.lock"))
        {
            candidate.Lockfile = "Cargo.lock";
            candidate.Evidence.Add("Cargo.lock");
        }

        // src/main.rs builds a binary named after the package; otherwise the first [[bin]] target is the app.
        var package = cargo.GetString("package", "name");
        var firstBin = cargo.ArrayTables("bin")
            .Select(bin => bin.TryGetValue("name", out var raw) ? TomlDocument.AsString(raw) : null)
            .FirstOrDefault(name => !string.IsNullOrWhiteSpace(name));
        var binary = (folder.FileExists("src/main.rs") ? package ?? firstBin : firstBin ?? package) ?? folder.Name;
        candidate.SetFact(DetectionFacts.RustBinary, binary);
        candidate.StartCommand = $"/app/{binary}";
        return candidate;
    }
}
