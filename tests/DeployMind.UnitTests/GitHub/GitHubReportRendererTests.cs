using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.GitHub;

namespace DeployMind.UnitTests.GitHub;

public sealed class GitHubReportRendererTests
{
    private static readonly Guid Id = Guid.Parse("3f2c1d00-aaaa-bbbb-cccc-000000000001");

    private static DeploymentReport Report(DeploymentState state) => new()
    {
        Id = Id,
        App = "shop",
        Environment = "pr-12",
        Repository = "acme/shop",
        Commit = "abc1234def5678",
        Branch = "feature/auth",
        PullRequest = 12,
        State = state,
        Strategy = StrategyKind.Rolling,
        ImageTag = "shop:abc1234",
        ImageSizeMb = 142.46,
        ImageBuilder = "BuildKit (docker buildx)",
        Duration = TimeSpan.FromSeconds(47.8),
        HealthChecksPassed = 12,
        HealthChecksRequired = 12,
        Url = "https://pr-12.example.com",
        TriggeredBy = "webhook",
        At = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void Comment_Succeeded_HasThePlansTableAndTheLink()
    {
        var body = GitHubReportRenderer.Comment(Report(DeploymentState.Succeeded), "https://deploy.example.com/api/deployments/" + Id);

        Assert.StartsWith("<!-- deploymind:report app=shop env=pr-12 -->\n## DeployMind Deployment Report\n", body, StringComparison.Ordinal);
        Assert.Contains("| Field | Value |\n|-------|-------|\n", body, StringComparison.Ordinal);
        Assert.Contains("| Status | ✅ Deployed |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Commit | `abc1234` |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Branch | `feature/auth` |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Image | `shop:abc1234` (142.5 MB) |\n| Built with | BuildKit (docker buildx) |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Duration | 47s |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Health | 12/12 checks passed |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Strategy | Rolling |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Preview | https://pr-12.example.com |\n", body, StringComparison.Ordinal);
        Assert.Contains($"[View deployment logs →](https://deploy.example.com/api/deployments/{Id})", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed stage", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_PromotedCanary_ShowsTheLastStepsFigures()
    {
        var report = Report(DeploymentState.Succeeded) with
        {
            Strategy = StrategyKind.Canary,
            CanaryPercentReached = 100,
            CanaryFigures = new CanaryFigures(50, "Healthy", "comparison", 1_012, 5, 41.5, 9_107, 46, 39)
            {
                Errors = "5xx increase −0.01 pts, interval [−0.61, +0.59] vs tolerance +1.00 (Λ 142.1 of 100): within tolerance",
                Latency = "latency p95 42 vs 39 ms (z -2.1, Λ 120 of 100): within tolerance",
                Split = "split 10.0% canary of 10119 requests (expected 10%; χ² 0.01, p 0.92, threshold 19.3): matches",
            },
        };

        var body = GitHubReportRenderer.Comment(report, null);

        Assert.Contains("| Strategy | Canary (reached 100%) |\n", body, StringComparison.Ordinal);
        Assert.Contains("\n### Canary at 50%: Healthy (comparison)\n\n| | Requests | 5xx | 5xx rate | p95 |\n| --- | ---: | ---: | ---: | ---: |\n", body, StringComparison.Ordinal);
        Assert.Contains("| canary | 1,012 | 5 | 0.49% | 42 ms |\n", body, StringComparison.Ordinal);
        Assert.Contains("| stable | 9,107 | 46 | 0.51% | 39 ms |\n", body, StringComparison.Ordinal);
        Assert.Contains("- **5xx**: 5xx increase −0.01 pts, interval \\[−0.61, +0.59\\] vs tolerance +1.00 \\(Λ 142.1 of 100\\)\\: within tolerance\n", body, StringComparison.Ordinal);
        Assert.Contains("- **Latency**: latency p95 42 vs 39 ms", body, StringComparison.Ordinal);
        Assert.Contains("- **Split**: split 10.0% canary of 10119 requests", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Probe requests", body, StringComparison.Ordinal);
        Assert.DoesNotContain("### Canary", GitHubReportRenderer.Comment(Report(DeploymentState.Succeeded), null), StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_ShowsEachStagesExplanation_AsPlainText()
    {
        var report = Report(DeploymentState.RolledBack) with
        {
            Explanations =
            [
                new("build", "build-agent", "Built in 12s from cache.", [], "none", "rules"),
                new("verify", "deploy-agent", "The canary failed: ![x](https://203.0.113.9/leak) see [here](https://203.0.113.9) <img src=x> @octocat",
                    ["Fix `/health`", "Roll forward | later"], "halt", "llama-3.3-70b-versatile"),
            ],
        };

        var body = GitHubReportRenderer.Comment(report, null);

        Assert.Contains("### Explanations", body, StringComparison.Ordinal);
        Assert.Contains("**build** (build-agent, rule-based): Built in 12s from cache.\n", body, StringComparison.Ordinal);
        Assert.Contains("**verify** (deploy-agent, llama-3.3-70b-versatile): The canary failed", body, StringComparison.Ordinal);
        Assert.Contains("**Asked to halt.**", body, StringComparison.Ordinal);
        Assert.Contains("- Fix \\`/health\\`\n", body, StringComparison.Ordinal);
        Assert.Contains("- Roll forward \\| later\n", body, StringComparison.Ordinal);

        // A model's words cannot become an image, a link, HTML or a mention.
        Assert.DoesNotContain("![", body, StringComparison.Ordinal);
        Assert.DoesNotContain("](", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", body, StringComparison.Ordinal);
        Assert.DoesNotContain("@octocat", body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://203", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_WithoutExplanations_HasNoSection()
    {
        Assert.DoesNotContain("Explanations", GitHubReportRenderer.Comment(Report(DeploymentState.Succeeded), null), StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_Failed_ShowsStageAndReason_NotThePreview()
    {
        var report = Report(DeploymentState.Failed) with { FailedStage = PipelineStage.Build, Reason = "npm ci failed | exit 1\nsee log" };

        var body = GitHubReportRenderer.Comment(report, null);

        Assert.Contains("| Status | ❌ Failed |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Failed stage | build |\n", body, StringComparison.Ordinal);
        Assert.Contains("| Reason | npm ci failed \\| exit 1 see log |\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("| Preview |", body, StringComparison.Ordinal);
        Assert.Contains("Deployment `3f2c1d00`", body, StringComparison.Ordinal);
        Assert.DoesNotContain("](", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeploymentState.Queued, "⏳ Queued")]
    [InlineData(DeploymentState.Building, "🔨 Building")]
    [InlineData(DeploymentState.RolledBack, "↩️ Rolled back")]
    [InlineData(DeploymentState.Cancelled, "⛔ Cancelled")]
    public void Comment_Status_HasEmojiPerState(DeploymentState state, string status)
    {
        Assert.Contains($"| Status | {status} |", GitHubReportRenderer.Comment(Report(state), null), StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_Canary_ShowsThePercentReached()
    {
        var report = Report(DeploymentState.RolledBack) with { Strategy = StrategyKind.Canary, CanaryPercentReached = 50, FailedStage = PipelineStage.Deploy, Reason = "error rate 12% above 5%" };

        var body = GitHubReportRenderer.Comment(report, null);

        Assert.Contains("| Strategy | Canary (reached 50%) |", body, StringComparison.Ordinal);
        Assert.Contains("| Reason | error rate 12% above 5% |", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_Teardown_SaysThePreviewWasRemoved()
    {
        var body = GitHubReportRenderer.Comment(Report(DeploymentState.Succeeded) with { IsTeardown = true, Url = null }, null);

        Assert.StartsWith(GitHubReportRenderer.Marker("shop", "pr-12"), body, StringComparison.Ordinal);
        Assert.Contains("| Status | 🧹 Preview removed |", body, StringComparison.Ordinal);
        Assert.DoesNotContain("| Image |", body, StringComparison.Ordinal);
        Assert.DoesNotContain("| Health |", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Comment_HostileValues_CannotBreakTheTableOrInjectHtml()
    {
        var report = Report(DeploymentState.Failed) with { Branch = "x`|y", FailedStage = PipelineStage.Scan, Reason = "<!-- deploymind:report app=other env=x --><script>" };

        var body = GitHubReportRenderer.Comment(report, null);

        Assert.Contains("| Branch | `` x`\\|y `` |", body, StringComparison.Ordinal);
        Assert.Contains("| Reason | &lt;!-- deploymind:report app=other env=x --&gt;&lt;script&gt; |", body, StringComparison.Ordinal);
        Assert.Single(body.Split('\n'), line => line.Contains("<!--", StringComparison.Ordinal));
    }

    [Fact]
    public void Marker_OddCharacters_StayInsideTheComment()
    {
        Assert.Equal("<!-- deploymind:report app=a_--_b env=pr_12 -->", GitHubReportRenderer.Marker("a -->b", "pr 12"));
    }

    [Theory]
    [InlineData(DeploymentState.Queued, "queued")]
    [InlineData(DeploymentState.Scanning, "scanning the source")]
    [InlineData(DeploymentState.Building, "building the image")]
    [InlineData(DeploymentState.Deploying, "deploying (rolling)")]
    [InlineData(DeploymentState.Verifying, "verifying health")]
    [InlineData(DeploymentState.Succeeded, "deployed in 47s")]
    [InlineData(DeploymentState.Cancelled, "cancelled")]
    [InlineData(DeploymentState.Superseded, "superseded by a newer deployment")]
    public void Description_SaysTheStage(DeploymentState state, string expected)
    {
        Assert.Equal(expected, GitHubReportRenderer.Description(Report(state)));
    }

    [Fact]
    public void Superseded_SaysByWhich_AndShowsNoUrl()
    {
        var report = Report(DeploymentState.Superseded) with { Reason = "superseded by deployment 1a2b3c4d of shop, queued after this one" };

        Assert.Equal("superseded by deployment 1a2b3c4d of shop, queued after this one", GitHubReportRenderer.Description(report));
        var comment = GitHubReportRenderer.Comment(report, null);
        Assert.Contains("Superseded", comment, StringComparison.Ordinal);
        Assert.Contains("1a2b3c4d", comment, StringComparison.Ordinal);
        Assert.DoesNotContain("https://pr-12.example.com", comment, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_LongFailure_IsCutTo140Characters()
    {
        var report = Report(DeploymentState.Failed) with { FailedStage = PipelineStage.Verify, Reason = new string('x', 300) };

        var description = GitHubReportRenderer.Description(report);

        Assert.Equal(140, description.Length);
        Assert.StartsWith("verify failed: xxx", description, StringComparison.Ordinal);
        Assert.EndsWith("…", description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59.9, "59s")]
    [InlineData(125, "2m 05s")]
    [InlineData(3725, "1h 02m")]
    public void FormatDuration_IsShort(double seconds, string expected)
    {
        Assert.Equal(expected, GitHubReportRenderer.FormatDuration(TimeSpan.FromSeconds(seconds)));
    }
}
