using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Kubernetes;

namespace DeployMind.UnitTests.Deploy.Kubernetes;

/// <summary>The pure decisions of the Kubernetes strategies: canary sizes, rollout states, access-log figures, names.</summary>
public sealed class KubernetesDecisionTests
{
    [Theory]
    [InlineData(2, 10, 1)]
    [InlineData(9, 10, 1)]
    [InlineData(18, 10, 2)]
    [InlineData(2, 25, 1)]
    [InlineData(2, 50, 2)]
    [InlineData(3, 50, 3)]
    [InlineData(4, 75, 12)]
    [InlineData(3, 100, 3)]
    public void CanaryReplicas_StableAndPercent_GivesTheShareAtLeastOnePod(int stable, int percent, int expected)
    {
        Assert.Equal(expected, KubernetesDeployer.CanaryReplicas(stable, percent));
    }

    [Fact]
    public void Evaluate_ControllerHasNotSeenTheSpec_IsStillGoing()
    {
        var (complete, progress) = KubernetesRollouts.Evaluate(Status(generation: 3, observed: 2, replicas: 2, total: 2, updated: 2, available: 2));

        Assert.Null(complete);
        Assert.Contains("controller", progress, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ProgressDeadlineExceeded_HasFailed()
    {
        var status = Status(2, 2, 2, 3, 1, 2) with { Conditions = [new("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"shop-1\" has timed out progressing.")] };

        var (complete, progress) = KubernetesRollouts.Evaluate(status);

        Assert.False(complete);
        Assert.Equal("ProgressDeadlineExceeded: ReplicaSet \"shop-1\" has timed out progressing.", progress);
    }

    [Theory]
    [InlineData(2, 3, 1, 2, null, "1/2 updated, 2 ready, 2 available")]
    [InlineData(2, 3, 2, 2, null, "2/2 updated, 2 ready, 2 available, 1 old pod(s) terminating")]
    [InlineData(2, 3, 2, 1, null, "2/2 updated, 1 ready, 1 available")]
    [InlineData(2, 2, 2, 2, true, "2/2 updated, 2 ready, 2 available")]
    public void Evaluate_Replicas_CompleteOnlyWhenEveryPodIsNewAndAvailable(int replicas, int total, int updated, int available, bool? expected, string progress)
    {
        Assert.Equal((expected, progress), KubernetesRollouts.Evaluate(Status(1, 1, replicas, total, updated, available)));
    }

    [Fact]
    public void AccessLogStats_LinesWithStatusAndLatency_CountsRequestsErrorsAndP95()
    {
        var pattern = new Regex("\" (?<status>\\d{3}) (?<ms>\\d+)ms");
        var lines = Enumerable.Range(1, 20).Select(i => $"GET /x \" {(i <= 3 ? 503 : 200)} {i * 10}ms").Append("not an access line").ToList();

        var stats = AccessLogStats.Count(lines, pattern);

        Assert.Equal((20, 3, 190d), (stats.Requests, stats.ServerErrors, stats.P95Milliseconds));
    }

    [Theory]
    [InlineData("20261127-120000000-1a2b", "20261127-120000000-1a2b")]
    [InlineData("r1+build/7", "r1_build_7")]
    [InlineData("-x-", "x")]
    public void LabelValue_AnyText_IsAValidLabelValue(string text, string expected)
    {
        Assert.Equal(expected, KubernetesNames.LabelValue(text));
    }

    [Theory]
    [InlineData("shop:1", null, "shop:1")]
    [InlineData("shop:1", "registry.example.com/team/", "registry.example.com/team/shop:1")]
    [InlineData("registry.example.com/team/shop:1", "registry.example.com/team", "registry.example.com/team/shop:1")]
    public void PulledImage_Registry_PrefixesTheImageOnce(string image, string? registry, string expected)
    {
        Assert.Equal(expected, KubernetesNames.PulledImage(image, registry));
    }

    private static KubernetesDeploymentStatus Status(long generation, long observed, int replicas, int total, int updated, int available) =>
        new("shop", generation, observed, replicas, total, updated, available, available);
}
