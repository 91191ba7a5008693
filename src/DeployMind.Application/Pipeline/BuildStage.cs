using DeployMind.Application.Build;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>The build stage: the workspace's Dockerfile (or a generated one), linted and built into an image.</summary>
public sealed class BuildStage : IPipelineStage
{
    private readonly BuildService _builds;

    public BuildStage(BuildService builds)
    {
        _builds = builds;
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
        return StageReport.Passed($"built {result.ImageTag} ({result.SizeMb:F0} MB, {result.Layers} layers) in {result.Duration.TotalSeconds:F0}s");
    }
}
