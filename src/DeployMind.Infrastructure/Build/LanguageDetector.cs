using System.Text.RegularExpressions;
using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build.Detection;

namespace DeployMind.Infrastructure.Build;

/// <summary>
/// Recognises an application folder's language, framework, entry point, start command, port and package manager
/// from the manifests in its root, falling back to loose source files. It looks only inside the folder it is given
/// (for a monorepo, the app's sub-folder), never above it.
/// </summary>
/// <remarks>
/// <para>Precedence when several manifests are in the root (e.g. package.json for front-end assets next to
/// composer.json for Laravel, or next to pyproject.toml):</para>
/// <list type="number">
/// <item>A manifest that reveals a web framework beats one that does not.</item>
/// <item>A manifest that parses beats one that does not.</item>
/// <item>Then the order of <see cref="Probes"/>: .NET, Java, Rust, Go, Ruby, PHP, Python, Node.js. Compiled stacks
/// first (their manifest is never incidental); Node.js last, because package.json is routinely present for asset
/// building or tooling in apps of every other language; Python next to last for the same reason (scripts, linters).</item>
/// </list>
/// <para>The manifests outweighed are named in the evidence, and a choice made on order alone (no framework anywhere)
/// scores at most 0.8. Only when no manifest is present are loose source files counted (see <see cref="LooseFileProbe"/>).
/// A Procfile's <c>web:</c> process replaces the detected start command. The port is read where the app writes it
/// (see <see cref="PortFinder"/>); when it is only the framework's default, the confidence is at most 0.7.</para>
/// </remarks>
internal sealed partial class LanguageDetector : ILanguageDetector
{
    private const string Procfile = "Procfile";
    private const double AmbiguousConfidence = 0.8;

    /// <summary>The most a detection scores when its port is only the framework's default (nothing in the app names it).</summary>
    private const double GuessedPortConfidence = 0.7;

    /// <summary>The manifest probes, in tie-break order (see the remarks on <see cref="LanguageDetector"/>).</summary>
    private static readonly IStackProbe[] Probes =
    [
        new DotNetProbe(),
        new JavaProbe(),
        new RustProbe(),
        new GoProbe(),
        new RubyProbe(),
        new PhpProbe(),
        new PythonProbe(),
        new NodeProbe(),
    ];

    private static readonly IReadOnlyList<string> LookedFor = [.. Probes.SelectMany(probe => probe.Manifests).Distinct(StringComparer.Ordinal)];

    public async Task<DetectionResult> DetectAsync(string appPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(appPath);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(appPath));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"The application folder '{root}' does not exist.");
        }

        var folder = new AppFolder(root);
        var candidates = new List<DetectionCandidate>();
        foreach (var probe in Probes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var candidate = await probe.ProbeAsync(folder, cancellationToken).ConfigureAwait(false);
            if (candidate is not null)
            {
                candidates.Add(candidate);
            }
        }

        var chosen = candidates
            .OrderByDescending(candidate => candidate.Framework is not null)
            .ThenBy(candidate => candidate.ManifestUnreadable)
            .FirstOrDefault()
            ?? await LooseFileProbe.ProbeAsync(folder, cancellationToken).ConfigureAwait(false)
            ?? throw new LanguageNotDetectedException(root, LookedFor);

        var evidence = new List<string>(chosen.Evidence);
        foreach (var outweighed in candidates.Where(candidate => candidate != chosen))
        {
            evidence.Add($"{outweighed.Manifest}: {outweighed.Language} manifest also present, outweighed");
        }

        var confidence = chosen.Confidence;
        if (chosen.Framework is null && candidates.Count > 1)
        {
            confidence = Math.Min(confidence, AmbiguousConfidence);
        }

        var startCommand = chosen.StartCommand;
        var (procfileCommand, procfileLine) = await ReadProcfileWebAsync(folder, cancellationToken).ConfigureAwait(false);
        if (procfileCommand is not null)
        {
            startCommand = procfileCommand;
            evidence.Add("Procfile: web");
        }

        var hasDockerfile = folder.FileExists("Dockerfile");
        var port = await PortFinder.FindAsync(folder, chosen, startCommand, procfileLine, hasDockerfile, cancellationToken).ConfigureAwait(false);
        evidence.AddRange(port.Evidence);
        if (port.Source == PortSource.Default)
        {
            confidence = Math.Min(confidence, GuessedPortConfidence);
        }

        return new DetectionResult(
            root,
            chosen.Language,
            chosen.Framework,
            chosen.EntryPoint,
            startCommand,
            port.Port,
            chosen.PackageManager,
            chosen.Lockfile,
            hasDockerfile,
            HasDockerignore: folder.FileExists(".dockerignore"),
            evidence,
            confidence)
        {
            Facts = new Dictionary<string, string>(chosen.Facts, StringComparer.Ordinal),
            StartCommandFromProcfile = procfileCommand is not null,
            PortSource = port.Source,
            PortLocation = port.Location,
        };
    }

    /// <summary>The command of the Procfile's <c>web:</c> process and its line, or nulls when there is none.</summary>
    private static async Task<(string? Command, int? Line)> ReadProcfileWebAsync(AppFolder folder, CancellationToken cancellationToken)
    {
        var text = await folder.ReadTextAsync(Procfile, cancellationToken).ConfigureAwait(false);
        var match = text is null ? null : ProcfileWeb().Match(text);
        return match is { Success: true } && text is not null
            ? (match.Groups[1].Value.Trim(), text.AsSpan(0, match.Index).Count('\n') + 1)
            : (null, null);
    }

    [GeneratedRegex(@"^web\s*:\s*(\S.*?)\s*$", RegexOptions.Multiline)]
    private static partial Regex ProcfileWeb();
}
