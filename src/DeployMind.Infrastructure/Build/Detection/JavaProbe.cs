using System.Text.RegularExpressions;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// Java from pom.xml (Maven) or build.gradle(.kts) / settings.gradle(.kts) (Gradle): Spring Boot, Java version, wrappers.
/// When both build files exist, the one revealing a framework wins, then the one with a wrapper, then Maven.
/// </summary>
internal sealed partial class JavaProbe : IStackProbe
{
    public const int DefaultPort = 8080;
    public const string StartCommand = "java -jar /app/app.jar";

    private const string Pom = "pom.xml";
    private const string SpringBoot = "spring-boot";
    private const string SpringBootGroup = "org.springframework.boot";

    private static readonly string[] GradleFiles = ["build.gradle.kts", "build.gradle", "settings.gradle.kts", "settings.gradle"];

    private static readonly string[] JavaVersionProperties = ["java.version", "maven.compiler.release", "maven.compiler.target", "maven.compiler.source"];

    public Language Language => Language.Java;

    public IReadOnlyList<string> Manifests { get; } = [Pom, "build.gradle", "build.gradle.kts"];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var maven = folder.FileExists(Pom) ? await ProbeMavenAsync(folder, cancellationToken).ConfigureAwait(false) : null;
        var gradleFile = folder.FirstExisting(GradleFiles);
        var gradle = gradleFile is null ? null : await ProbeGradleAsync(folder, gradleFile, cancellationToken).ConfigureAwait(false);
        if (maven is null || gradle is null)
        {
            return maven ?? gradle;
        }

        var chosen = (maven.Framework is null) != (gradle.Framework is null)
            ? (maven.Framework is not null ? maven : gradle)
            : gradle.Facts.ContainsKey(DetectionFacts.GradleWrapper) && !maven.Facts.ContainsKey(DetectionFacts.MavenWrapper) ? gradle : maven;
        var other = chosen == maven ? gradle : maven;
        chosen.Evidence.Add($"{other.Manifest}: also present, outweighed");
        return chosen;
    }

    private static async Task<DetectionCandidate> ProbeMavenAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var candidate = NewCandidate(Pom, "maven");
        if (folder.FileExists("mvnw"))
        {
            candidate.SetFact(DetectionFacts.MavenWrapper, DetectionFacts.True);
            candidate.Evidence.Add("mvnw");
        }

        var project = XmlManifest.TryParse(await folder.ReadTextAsync(Pom, cancellationToken).ConfigureAwait(false))?.Root;
        candidate.ManifestUnreadable = project is null;
        if (project is null)
        {
            return candidate;
        }

        var parent = XmlManifest.Child(project, "parent");
        var properties = (XmlManifest.Child(project, "properties")?.Elements() ?? [])
            .GroupBy(property => property.Name.LocalName, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First().Value.Trim(), StringComparer.Ordinal);

        if (XmlManifest.ChildValue(parent, "groupId") == SpringBootGroup)
        {
            candidate.SetFramework(SpringBoot, $"pom.xml: parent {XmlManifest.ChildValue(parent, "artifactId") ?? SpringBootGroup}");
        }
        else
        {
            var artifact = XmlManifest.Descendants(project, "groupId")
                .Where(groupId => groupId.Value.Trim() == SpringBootGroup)
                .Select(groupId => XmlManifest.ChildValue(groupId.Parent, "artifactId"))
                .FirstOrDefault();
            if (artifact is not null)
            {
                candidate.SetFramework(SpringBoot, $"pom.xml: dependency {SpringBootGroup}:{artifact}");
            }
        }

        var javaVersion = JavaVersionProperties.Select(properties.GetValueOrDefault).FirstOrDefault(value => !string.IsNullOrEmpty(value));
        candidate.SetFact(DetectionFacts.JavaVersion, Resolve(javaVersion, properties));

        var finalName = Resolve(XmlManifest.ChildValue(XmlManifest.Child(project, "build"), "finalName"), properties);
        var artifactId = Resolve(XmlManifest.ChildValue(project, "artifactId"), properties);
        var version = Resolve(XmlManifest.ChildValue(project, "version") ?? XmlManifest.ChildValue(parent, "version"), properties);
        var jar = finalName ?? (artifactId is not null && version is not null ? $"{artifactId}-{version}" : null);
        candidate.SetFact(DetectionFacts.JarName, jar is null ? null : jar + ".jar");
        return candidate;
    }

    private static async Task<DetectionCandidate> ProbeGradleAsync(AppFolder folder, string buildFile, CancellationToken cancellationToken)
    {
        var candidate = NewCandidate(buildFile, "gradle");
        if (folder.FileExists("gradlew"))
        {
            candidate.SetFact(DetectionFacts.GradleWrapper, DetectionFacts.True);
            candidate.Evidence.Add("gradlew");
        }

        if (folder.FileExists("gradle.lockfile"))
        {
            candidate.Lockfile = "gradle.lockfile";
            candidate.Evidence.Add("gradle.lockfile");
        }

        var text = StripComments(await folder.ReadTextAsync(buildFile, cancellationToken).ConfigureAwait(false));
        if (SpringBootPlugin().IsMatch(text))
        {
            candidate.SetFramework(SpringBoot, $"{buildFile}: plugin {SpringBootGroup}");
        }
        else if (text.Contains(SpringBootGroup + ":", StringComparison.Ordinal))
        {
            candidate.SetFramework(SpringBoot, $"{buildFile}: dependency {SpringBootGroup}");
        }
        else
        {
            var catalog = StripComments(await folder.ReadTextAsync("gradle/libs.versions.toml", cancellationToken).ConfigureAwait(false));
            if (catalog.Contains(SpringBootGroup, StringComparison.Ordinal))
            {
                candidate.SetFramework(SpringBoot, $"gradle/libs.versions.toml: {SpringBootGroup}");
            }
        }

        var version = Toolchain().Match(text) is { Success: true } toolchain
            ? toolchain.Groups[1].Value
            : SourceCompatibility().Match(text) is { Success: true } compatibility ? compatibility.Groups[1].Value.Replace('_', '.') : null;
        candidate.SetFact(DetectionFacts.JavaVersion, version);
        return candidate;
    }

    private static DetectionCandidate NewCandidate(string manifest, string packageManager)
    {
        var candidate = new DetectionCandidate(Language.Java, manifest, packageManager)
        {
            Port = DefaultPort,
            StartCommand = StartCommand,
        };
        candidate.Evidence.Add(manifest);
        return candidate;
    }

    /// <summary>Replaces <c>${property}</c> references from the pom's properties; null when one stays unresolved.</summary>
    private static string? Resolve(string? value, IReadOnlyDictionary<string, string> properties)
    {
        if (value is null)
        {
            return null;
        }

        var resolved = PropertyReference().Replace(value, match => properties.GetValueOrDefault(match.Groups[1].Value) ?? match.Value);
        return resolved.Contains("${", StringComparison.Ordinal) || resolved.Length == 0 ? null : resolved;
    }

    private static string StripComments(string? text) =>
        text is null
            ? string.Empty
            : string.Join('\n', text.Split('\n').Where(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal)));

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex PropertyReference();

    [GeneratedRegex("""(?:id\s*\(?\s*["']org\.springframework\.boot["']|apply\s+plugin\s*:\s*["']org\.springframework\.boot["']|alias\s*\(\s*libs\.plugins\.spring\.boot)""")]
    private static partial Regex SpringBootPlugin();

    [GeneratedRegex(@"(?:JavaLanguageVersion\.of|jvmToolchain)\(\s*(\d+)\s*\)")]
    private static partial Regex Toolchain();

    [GeneratedRegex("""(?:source|target)Compatibility\s*=\s*(?:JavaVersion\.VERSION_)?["']?([\d._]+)""")]
    private static partial Regex SourceCompatibility();
}
