using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Deploy;

/// <summary>Which release a rollback goes back to: the last one that succeeded, never a rejected one.</summary>
public sealed class RollbackChoiceTests
{
    private const string App = "shop";
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PreviousRelease_AfterTwoFailedReleases_IsTheLastOneThatSucceeded_NotTheRejectedOneBetween()
    {
        // v4 succeeded, v5 failed verify (rolled back), v6 serves now and is failing: going back must land on v4, not v5.
        var host = Host(("r4", 4), ("r5", 5), ("r6", 6));
        var history = ReleaseHistoryReader.Of([Recorded("r4", DeploymentState.Succeeded, 4), Recorded("r5", DeploymentState.RolledBack, 5), Recorded("r6", DeploymentState.Verifying, 6)]);

        var release = await RollbackService.PreviousReleaseAsync(host.Host, App, history, CancellationToken.None);

        Assert.Equal("r4", release.ReleaseId);
    }

    [Fact]
    public async Task PreviousRelease_WithoutRecords_IsTheNewestOlderRelease_FromHostLabels()
    {
        var host = Host(("r4", 4), ("r5", 5), ("r6", 6));

        var release = await RollbackService.PreviousReleaseAsync(host.Host, App, ReleaseHistory.Unknown, CancellationToken.None);

        Assert.Equal("r5", release.ReleaseId);
    }

    [Fact]
    public async Task PreviousRelease_RecordsSilentOnAKeptRelease_ItMayServe_ButNeverARejectedOne()
    {
        // r5 was deployed from another machine (no record here); r4 was interrupted (failed, never succeeded).
        var host = Host(("r4", 4), ("r5", 5), ("r6", 6));
        var history = ReleaseHistoryReader.Of([Recorded("r4", DeploymentState.Failed, 4)]);

        Assert.Equal("r5", (await RollbackService.PreviousReleaseAsync(host.Host, App, history, CancellationToken.None)).ReleaseId);

        var onlyRejected = Host(("r4", 4), ("r6", 6));
        var error = await Assert.ThrowsAsync<DeployMindException>(() => RollbackService.PreviousReleaseAsync(onlyRejected.Host, App, history, CancellationToken.None));
        Assert.Contains("never brought back", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreviousRelease_WithoutRecords_IsTheNewestTheHostsLedgerSaysWasVerified_NotANeverRoutedLeftover()
    {
        // v1 verified; a deploy of v2 was killed before it routed (its container left behind); v3 verified and serves.
        var host = Host(("r1", 1), ("r2", 2), ("r3", 3));
        host.Verified.AddRange(["r1", "r3"]);

        var release = await RollbackService.PreviousReleaseAsync(host.Host, App, ReleaseHistory.Unknown, CancellationToken.None);

        Assert.Equal("r1", release.ReleaseId);
    }

    [Fact]
    public void History_AReleaseThatSucceededOnce_IsNotRejected_ByALaterFailedRollbackToIt()
    {
        var history = ReleaseHistoryReader.Of([Recorded("r4", DeploymentState.Succeeded, 4), Recorded("r4", DeploymentState.Failed, 7), Recorded("r5", DeploymentState.Cancelled, 5)]);

        Assert.Equal(["r4"], history.Succeeded);
        Assert.Equal(["r5"], history.Rejected);
        Assert.True(history.MayServe("r4"));
        Assert.False(history.MayServe("r5"));
        Assert.True(history.MayServe("r9"));
    }

    /// <summary>Kept releases of <see cref="App"/>, oldest first; the last one serves, the others are stopped.</summary>
    private static FakeDeployHost Host(params (string Release, int Hour)[] releases)
    {
        var host = new FakeDeployHost();
        FakeDeployHost.FakeContainer? previous = null;
        foreach (var (release, hour) in releases)
        {
            previous?.Running = false;
            previous = host.Seed(App, release, $"shop:{release}", Start.AddHours(hour));
        }

        return host;
    }

    private static Deployment Recorded(string release, DeploymentState state, int hour)
    {
        var at = Start.AddHours(hour);
        var deployment = new Deployment(Guid.NewGuid(), App, "production", StrategyKind.Rolling, "test", at);
        deployment.MoveTo(DeploymentState.Scanning, "scan", at);
        deployment.MoveTo(DeploymentState.Building, "build", at);
        deployment.MoveTo(DeploymentState.Deploying, "deploy", at);
        deployment.RecordRelease(release, "local", null);
        switch (state)
        {
            case DeploymentState.Succeeded:
                deployment.MoveTo(DeploymentState.Verifying, "verify", at);
                deployment.MoveTo(DeploymentState.Succeeded, "ok", at.AddMinutes(1));
                break;
            case DeploymentState.RolledBack:
                deployment.MoveTo(DeploymentState.Verifying, "verify", at);
                deployment.MoveTo(DeploymentState.RolledBack, "verify failed", at.AddMinutes(1));
                break;
            case DeploymentState.Verifying:
                deployment.MoveTo(DeploymentState.Verifying, "verify", at);
                break;
            case DeploymentState.Failed:
                deployment.Fail(PipelineStage.Deploy, "failed", at.AddMinutes(1));
                break;
            default:
                deployment.MoveTo(state, "stopped", at.AddMinutes(1));
                break;
        }

        return deployment;
    }
}
