using System.Text.Json;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Deploy;

public sealed class CanaryStepFiguresTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    private static readonly CanaryPolicy Policy = new([10, 50, 100], TimeSpan.FromMinutes(1), 0.05, 20, InsufficientDataAction.Extend);

    [Fact]
    public void Of_JudgedStep_KeepsCountsP95sAndEveryComparison()
    {
        var window = new TrafficWindow(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddMinutes(1), new Dictionary<string, UpstreamStats>
        {
            ["canary"] = new(2_000, 10, 41),
            ["stable"] = new(18_000, 90, 39),
        });
        var step = CanaryAnalysis.Judge(window, "canary", "stable", Policy, 0.1) with { Percent = 10 };

        var figures = CanaryStepFigures.Of(step);

        Assert.Equal((10, step.Verdict.ToString(), step.Decision!.Rule), (figures.Percent, figures.Verdict, figures.Rule));
        Assert.Equal((2_000, 10, 41.0, 18_000, 90, 39.0), (figures.CanaryRequests, figures.CanaryErrors, figures.CanaryP95Milliseconds, figures.StableRequests, figures.StableErrors, figures.StableP95Milliseconds));
        Assert.Equal(step.Decision.Errors!.Describe(), figures.Errors);
        Assert.Contains("Λ ", figures.Errors, StringComparison.Ordinal);
        Assert.Equal(step.Decision.Split!.Describe(), figures.Split);
        Assert.Null(figures.Latency);
        Assert.Null(figures.Probes);
    }

    [Fact]
    public void DeploymentView_CanaryWithFigures_CarriesThemAsCanaryFigures()
    {
        var deployment = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Canary, "cli:alice", DateTimeOffset.UnixEpoch);
        deployment.RecordDeploy(3, 3, 100, new CanaryFigures(50, "Healthy", "comparison", 100, 1, 40, 100, 0, 38) { DecidedOnProbes = true });

        var json = JsonSerializer.Serialize(DeploymentView.Of(deployment, DateTimeOffset.UnixEpoch), Web);
        var plain = JsonSerializer.Serialize(DeploymentView.Of(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:alice", DateTimeOffset.UnixEpoch), DateTimeOffset.UnixEpoch), Web);

        Assert.Contains("\"canaryFigures\":{\"percent\":50,\"verdict\":\"Healthy\",\"rule\":\"comparison\",\"canaryRequests\":100,\"canaryErrors\":1", json, StringComparison.Ordinal);
        Assert.Contains("\"decidedOnProbes\":true", json, StringComparison.Ordinal);
        Assert.DoesNotContain("canaryFigures", plain, StringComparison.Ordinal);
    }
}
