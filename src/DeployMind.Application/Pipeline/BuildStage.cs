using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The build stage: the workspace's Dockerfile (or a generated one), linted and built into an image, then the image
/// scanned for known vulnerabilities (Trivy, when installed). Image findings at or above the environment's
/// <c>scan.imageBlockAt</c> stop the pipeline before anything is deployed, unless the run allows findings.
/// </summary>
public sealed class BuildStage : IPipelineStage
{
    private readonly BuildService _builds;
    private readonly IImageScanner _images;
    private readonly AppOptions _app;

    public BuildStage(BuildService builds, IImageScanner images, IOptions<AppOptions> app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _builds = builds;
        _images = images;
        _app = app.Value;
    }

    public PipelineStage Stage => PipelineStage.Build;

    public async Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = await _builds.PlanAsync(context.Workspace, context.Command?.Tag, cancellationToken);
        context.Plan = plan;
        var result = await _builds.BuildAsync(plan, context.BuildProgress, context.Command?.NoCache ?? false, cancellationToken);
        context.Build = result;
        if (!result.Success)
        {
            return StageReport.Halted(result.Error ?? "docker build failed.");
        }

        context.Deployment.RecordImage(result.ImageTag, result.SizeMb);
        var built = $"built {result.ImageTag} ({result.SizeMb:F0} MB, {result.Layers} layers) in {result.Duration.TotalSeconds:F0}s";

        var environment = context.Command?.Environment ?? context.Deployment.Environment;
        var blockAt = ScanPolicyOptions.ParseThreshold(_app.Environment(environment).Scan.ImageBlockAt, $"environments.{environment}.scan.imageBlockAt");
        var scan = await _images.ScanAsync(result.ImageTag, cancellationToken);
        context.ImageScan = scan;
        if (scan.Skipped)
        {
            return StageReport.Passed($"{built}; image scan skipped: {scan.SkipReason}");
        }

        var blocking = scan.Findings.Where(f => blockAt is { } threshold && f.Severity >= threshold).ToList();
        context.ImageBlocking = blocking;
        var counts = string.Join(", ", scan.Findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        var scanned = $"{scan.Scanner}: {(scan.Findings.Count == 0 ? "no known vulnerabilities" : counts)}";
        if (blocking.Count == 0)
        {
            return StageReport.Passed($"{built}; {scanned}");
        }

        var list = string.Join("; ", blocking.Take(5).Select(f => $"{f.RuleId} in {f.RedactedExcerpt}")) + (blocking.Count > 5 ? $"; and {blocking.Count - 5} more" : string.Empty);
        if (context.Command?.AllowFindings == true)
        {
            return StageReport.Passed($"{built}; {scanned}; {blocking.Count} blocking image finding(s) allowed for this run by --allow-findings: {list}");
        }

        return StageReport.Halted(
            $"the image scan found {blocking.Count} blocking finding(s) ({blockAt?.ToString().ToLowerInvariant()} or higher; {scanned}): {list}. "
            + "Update the base image or the packages, raise environments.<name>.scan.imageBlockAt, or run with --allow-findings.");
    }
}
