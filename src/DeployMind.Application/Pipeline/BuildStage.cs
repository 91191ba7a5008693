using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
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
    private readonly Agents.DockerfileOptimizer? _optimizer;

    public BuildStage(BuildService builds, IImageScanner images, IOptions<AppOptions> app, Agents.DockerfileOptimizer? optimizer = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        _builds = builds;
        _images = images;
        _app = app.Value;
        _optimizer = optimizer;
    }

    public PipelineStage Stage => PipelineStage.Build;

    public async Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = await _builds.PlanAsync(context.Workspace, context.Command?.Tag, cancellationToken);
        var environment = context.Command?.Environment ?? context.Deployment.Environment;
        var (proposed, note) = await ProposeAsync(plan, environment, context, cancellationToken);
        BuildResult? result = null;
        if (proposed?.Proposal is { } proposal)
        {
            context.BuildProgress?.Report(new BuildProgress($"building the build-agent's proposed Dockerfile ({proposal.Model}): {proposal.Reason}", null, null, null));
            foreach (var line in proposed.Dockerfile.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                context.BuildProgress?.Report(new BuildProgress($"proposed Dockerfile | {line}", null, null, null));
            }

            context.Plan = proposed;
            var tried = await _builds.BuildAsync(proposed, context.BuildProgress, context.Command?.NoCache ?? false, cancellationToken);
            if (tried.Success)
            {
                (plan, result) = (proposed, tried);
                note = $"the build-agent's proposal ({proposal.Model}) was built: lint {proposal.OriginalLint.Count} -> {proposed.Findings.Count} issue(s); {proposal.Reason}";
            }
            else
            {
                var failure = OneLine(tried.FailedStep ?? tried.Error ?? "docker build failed");
                await _optimizer!.ForgetProposalAsync(plan, Threshold(environment), $"did not build ({failure})", cancellationToken);
                note = $"the build-agent's proposal ({proposal.Model}) did not build ({failure}); the {(plan.DockerfileGenerated ? "template's" : "app's own")} Dockerfile was built instead";
                context.BuildProgress?.Report(new BuildProgress(note, null, null, null));
            }
        }

        context.Plan = plan;
        result ??= await _builds.BuildAsync(plan, context.BuildProgress, context.Command?.NoCache ?? false, cancellationToken);
        context.Build = result;
        var report = BuildStageReport.Of(plan, result) with { DockerfileNote = note };
        if (!result.Success)
        {
            return report;
        }

        context.Deployment.RecordImage(result.ImageTag, result.SizeMb, result.Builder);
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

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length <= 200 ? line : string.Concat(line.AsSpan(0, 199), "…");
    }

    /// <summary>The environment's <c>scan.blockAt</c>: a Dockerfile proposal with a lint finding at or above it is refused.</summary>
    private Domain.Findings.Severity? Threshold(string environment) =>
        ScanPolicyOptions.ParseThreshold(_app.Environment(environment).Scan.BlockAt, $"environments.{environment}.scan.blockAt");

    /// <summary>
    /// The Build agent's Dockerfile proposal, reviewed (null when there is none or it is refused), and the note that says
    /// why; its image gets its own tag (the tag names what was built) unless the run asked for a tag.
    /// </summary>
    private async Task<(BuildPlan? Proposed, string? Note)> ProposeAsync(BuildPlan plan, string environment, PipelineContext context, CancellationToken cancellationToken)
    {
        if (_optimizer is null)
        {
            return (null, null);
        }

        var (proposed, note) = await _optimizer.ProposeAsync(plan, Threshold(environment), context.Deployment.Id, cancellationToken);
        if (proposed is not null && string.IsNullOrWhiteSpace(context.Command?.Tag))
        {
            proposed = proposed with { ImageTag = $"{plan.ImageTag.Split(':')[0]}:{await SourceFingerprint.ComputeAsync(plan.AppPath, proposed.Dockerfile, cancellationToken)}" };
        }

        if (note is not null)
        {
            context.BuildProgress?.Report(new BuildProgress(note, null, null, null));
        }

        return (proposed, note);
    }
}
