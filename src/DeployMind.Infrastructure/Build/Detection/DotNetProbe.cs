using System.Xml.Linq;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>
/// .NET from a *.csproj in the root (or, when the root holds only a solution, one found at most two levels down):
/// ASP.NET Core when the project uses the Web SDK, the assembly that <c>dotnet</c> starts.
/// </summary>
internal sealed class DotNetProbe : IStackProbe
{
    public const int DefaultPort = 8080;

    private const string WebSdk = "Microsoft.NET.Sdk.Web";
    private const string AspNetCore = "aspnetcore";

    public Language Language => Language.DotNet;

    public IReadOnlyList<string> Manifests { get; } = ["*.csproj"];

    public async Task<DetectionCandidate?> ProbeAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        string? solution = null;
        IReadOnlyList<string> projects = folder.FilesIn(string.Empty, "*.csproj");
        if (projects.Count == 0)
        {
            solution = folder.FilesIn(string.Empty, "*.sln").Concat(folder.FilesIn(string.Empty, "*.slnx")).FirstOrDefault();
            if (solution is null)
            {
                return null;
            }

            projects = [.. folder.ScanFiles(2, cancellationToken).Where(path => path.EndsWith(".csproj", StringComparison.Ordinal))];
            if (projects.Count == 0)
            {
                return null;
            }
        }

        var inspected = new List<(string Path, XElement? Project, string? Web)>();
        foreach (var path in projects)
        {
            var project = XmlManifest.TryParse(await folder.ReadTextAsync(path, cancellationToken).ConfigureAwait(false))?.Root;
            inspected.Add((path, project, WebReason(project)));
        }

        // A web project is the app; test projects never are; then the shortest path (closest to the root), then by name.
        var (chosenPath, chosenProject, web) = inspected
            .OrderByDescending(project => project.Web is not null)
            .ThenBy(project => IsTestProject(project.Path))
            .ThenBy(project => project.Path.Count(c => c == '/'))
            .ThenBy(project => project.Path, StringComparer.Ordinal)
            .First();

        var candidate = new DetectionCandidate(Language.DotNet, chosenPath, "dotnet") { Port = DefaultPort };
        if (solution is not null)
        {
            candidate.Evidence.Add(solution);
        }

        candidate.Evidence.Add(chosenPath);
        candidate.ManifestUnreadable = chosenProject is null;
        if (web is not null)
        {
            candidate.SetFramework(AspNetCore, $"{chosenPath}: {web}");
        }

        var properties = XmlManifest.Descendants(chosenProject, "PropertyGroup").ToList();
        var assembly = properties.Select(group => XmlManifest.ChildValue(group, "AssemblyName")).FirstOrDefault(name => name is not null)
            ?? Path.GetFileNameWithoutExtension(chosenPath);
        var targetFramework = properties.Select(group => XmlManifest.ChildValue(group, "TargetFramework")).FirstOrDefault(name => name is not null)
            ?? properties.Select(group => XmlManifest.ChildValue(group, "TargetFrameworks")).FirstOrDefault(name => name is not null)?.Split(';')[0];

        var directory = Path.GetDirectoryName(chosenPath)?.Replace('\\', '/') ?? string.Empty;
        var lockfile = AppFolder.Combine(directory, "packages.lock.json");
        if (folder.FileExists(lockfile))
        {
            candidate.Lockfile = lockfile;
            candidate.Evidence.Add(lockfile);
        }

        candidate.EntryPoint = chosenPath;
        candidate.StartCommand = $"dotnet {assembly}.dll";
        candidate.SetFact(DetectionFacts.DotNetProject, chosenPath);
        candidate.SetFact(DetectionFacts.DotNetAssembly, assembly);
        candidate.SetFact(DetectionFacts.DotNetTargetFramework, targetFramework);
        return candidate;
    }

    /// <summary>Why the project is an ASP.NET Core app (for the evidence), or null when it is not one.</summary>
    private static string? WebReason(XElement? project)
    {
        if (project is null)
        {
            return null;
        }

        var sdks = ((string?)project.Attribute("Sdk") ?? string.Empty).Split(';')
            .Concat(XmlManifest.Descendants(project, "Sdk").Select(element => (string?)element.Attribute("Name") ?? string.Empty));
        if (sdks.Any(sdk => string.Equals(sdk.Split('/')[0].Trim(), WebSdk, StringComparison.OrdinalIgnoreCase)))
        {
            return $"Sdk {WebSdk}";
        }

        return XmlManifest.Descendants(project, "FrameworkReference")
            .Any(element => string.Equals((string?)element.Attribute("Include"), "Microsoft.AspNetCore.App", StringComparison.OrdinalIgnoreCase))
            ? "FrameworkReference Microsoft.AspNetCore.App"
            : null;
    }

    private static bool IsTestProject(string path) =>
        Path.GetFileNameWithoutExtension(path).Contains("Test", StringComparison.OrdinalIgnoreCase);
}
