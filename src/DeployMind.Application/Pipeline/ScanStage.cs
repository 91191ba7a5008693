using DeployMind.Application.Configuration;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>The scan stage: a gate before anything is built. Critical and high findings block unless allowed for the run.</summary>
internal sealed class ScanStage : IPipelineStage
{
    private readonly ScanService _scans;
    private readonly AppOptions _app;

    public ScanStage(ScanService scans, IOptions<AppOptions> app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _scans = scans;
        _app = app.Value;
    }

    public PipelineStage Stage => PipelineStage.Scan;

    public async Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var environment = context.Command?.Environment ?? context.Deployment.Environment;
        var blockAt = ScanPolicyOptions.ParseThreshold(_app.Environment(environment).Scan.BlockAt, $"environments.{environment}.scan.blockAt");
        var result = await _scans.ScanAsync(context.Workspace, blockAt, cancellationToken);
        context.Scan = result;
        return new ScanStageReport(result, result.Blocks && context.Command?.AllowFindings == true);
    }
}
