using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// The build stage: the workspace's Dockerfile (or a generated one), linted and built into an image, then the image
/// scanned for known vulnerabilities (Trivy, when installed). Image findings at or above the environment's
/// <c>scan.imageBlockAt</c> stop the pipeline before anything is deployed, unless the run allows findings.
/// </summary>
internal sealed class BuildStage : IPipelineStage
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
        var report = BuildStageReport.Of(plan, result);
        if (!result.Success)
        {
            return report;
        }

        context.Deployment.RecordImage(result.ImageTag, result.SizeMb);
        var environment = context.Command?.Environment ?? context.Deployment.Environment;
        var blockAt = ScanPolicyOptions.ParseThreshold(_app.Environment(environment).Scan.ImageBlockAt, $"environments.{environment}.scan.imageBlockAt");
        var scan = await _images.ScanAsync(result.ImageTag, cancellationToken);
        context.ImageScan = scan;
        report = report with { ImageScan = scan, ImageBlockAt = blockAt };
        if (scan.Skipped)
        {
            return report;
        }

        var blocking = scan.Findings.Where(f => blockAt is { } threshold && f.Severity >= threshold).ToList();
        context.ImageBlocking = blocking;
        return report with { ImageBlocking = blocking, FindingsAllowed = blocking.Count > 0 && context.Command?.AllowFindings == true };
    }
}
