using DeployMind.Application.Build;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The build stage's report: what was detected, the Dockerfile's lint results, the build's figures (size, layers, cache
/// hits, duration, the log's tail, the failing step) and the built image's scan with the findings the environment's
/// <c>scan.imageBlockAt</c> blocks on.
/// </summary>
internal sealed record BuildStageReport : StageReport
{
    /// <summary>How many of the build log's last lines the report keeps (<see cref="LogTail"/>).</summary>
    public const int LogTailLines = 40;

    /// <summary>The image asked for (e.g. "shop:3f2a1bc").</summary>
    public required string ImageTag { get; init; }

    /// <summary>What the language detector found (null when the app's own Dockerfile was used without detection).</summary>
    public DetectionResult? Detection { get; init; }

    /// <summary>The Dockerfile was generated from a template (else the app's own was used).</summary>
    public bool DockerfileGenerated { get; init; }

    /// <summary>Which Dockerfile was built: "generated" (a template), "repository" (the app's own) or "proposal" (the Build agent's).</summary>
    public string DockerfileSource { get; init; } = "generated";

    /// <summary>What became of the Build agent's Dockerfile proposal (built, refused and why, did not build), or null when none was asked for.</summary>
    public string? DockerfileNote { get; init; }

    /// <summary>The Dockerfile linter's findings.</summary>
    public IReadOnlyList<LintFinding> Lint { get; init; } = [];

    /// <summary>The image was built and tagged.</summary>
    public bool Built { get; init; }

    /// <summary>The image id (sha256:...) when built.</summary>
    public string? ImageId { get; init; }

    /// <summary>Image size in MB (10^6 bytes) when built.</summary>
    public double SizeMb { get; init; }

    /// <summary>Filesystem layers when built.</summary>
    public int Layers { get; init; }

    /// <summary>Build steps answered from the layer cache.</summary>
    public int CacheHits { get; init; }

    /// <summary>Wall time of the build.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>The builder that ran ("BuildKit (...)" or "classic builder"); null when not known.</summary>
    public string? Builder { get; init; }

    /// <summary>Warnings the builder printed.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The build log's last <see cref="LogTailLines"/> lines (secrets redacted, as the log is).</summary>
    public IReadOnlyList<string> LogTail { get; init; } = [];

    /// <summary>A failed build: one clear message quoting the failing step and the last log lines.</summary>
    public string? Error { get; init; }

    /// <summary>A failed build: the instruction that failed, as the builder printed it.</summary>
    public string? FailedStep { get; init; }

    /// <summary>The built image's scan (null when nothing was built); <see cref="ImageScanReport.Skipped"/> when no scanner ran.</summary>
    public ImageScanReport? ImageScan { get; init; }

    /// <summary>The lowest image finding severity that blocks (the environment's <c>scan.imageBlockAt</c>); null: none blocks.</summary>
    public Severity? ImageBlockAt { get; init; }

    /// <summary>The image findings at or above <see cref="ImageBlockAt"/>.</summary>
    public IReadOnlyList<SecurityFinding> ImageBlocking { get; init; } = [];

    /// <summary>Blocking image findings were allowed for this run (<c>--allow-findings</c>), so the stage passed.</summary>
    public bool FindingsAllowed { get; init; }

    public override StageOutcome Outcome =>
        !Built || (ImageBlocking.Count > 0 && !FindingsAllowed) ? StageOutcome.Halted : StageOutcome.Passed;

    /// <summary>The build's one line, then what became of a Dockerfile proposal.</summary>
    public override string Summary => DockerfileNote is null ? Outline : $"{Outline}; Dockerfile: {DockerfileNote}";

    private string Outline
    {
        get
        {
            if (!Built)
            {
                var error = Error ?? "docker build failed.";
                return Builder is null ? error : $"{error}\n(builder: {Builder})";
            }

            var with = Builder is null ? string.Empty : $" with {Builder}";
            var built = $"built {ImageTag} ({SizeMb:F0} MB, {Layers} layers, {CacheHits} cached steps) in {Duration.TotalSeconds:F0}s{with}";
            if (ImageScan is not { } scan)
            {
                return built;
            }

            if (scan.Skipped)
            {
                return $"{built}; image scan skipped: {scan.SkipReason}";
            }

            var counts = string.Join(", ", scan.Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
            var scanned = $"{scan.Scanner}: {(scan.Findings.Count == 0 ? "no known vulnerabilities" : counts)}";
            if (ImageBlocking.Count == 0)
            {
                return $"{built}; {scanned}";
            }

            var list = string.Join("; ", ImageBlocking.Take(5).Select(f => $"{f.RuleId} in {f.RedactedExcerpt}")) + (ImageBlocking.Count > 5 ? $"; and {ImageBlocking.Count - 5} more" : string.Empty);
            return FindingsAllowed
                ? $"{built}; {scanned}; {ImageBlocking.Count} blocking image finding(s) allowed for this run by --allow-findings: {list}"
                : $"the image scan found {ImageBlocking.Count} blocking finding(s) ({ImageBlockAt?.ToString().ToLowerInvariant()} or higher; {scanned}): {list}. "
                    + "Update the base image or the packages, raise environments.<name>.scan.imageBlockAt, or run with --allow-findings.";
        }
    }

    /// <summary>The report of a build from its plan and result (before the image scan).</summary>
    public static BuildStageReport Of(BuildPlan plan, BuildResult result)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(result);
        return new BuildStageReport
        {
            ImageTag = result.ImageTag,
            Detection = plan.Detection,
            DockerfileGenerated = plan.DockerfileGenerated,
            DockerfileSource = plan.DockerfileSource,
            Lint = plan.Findings,
            Built = result.Success,
            ImageId = result.ImageId,
            SizeMb = result.SizeMb,
            Layers = result.Layers,
            CacheHits = result.CacheHits,
            Duration = result.Duration,
            Builder = result.Builder,
            Warnings = result.Warnings,
            LogTail = [.. result.Log.TakeLast(LogTailLines)],
            Error = result.Error,
            FailedStep = result.FailedStep,
        };
    }
}
