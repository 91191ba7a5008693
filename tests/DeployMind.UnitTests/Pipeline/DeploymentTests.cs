using DeployMind.Domain.Deploy;

namespace DeployMind.UnitTests.Pipeline;

public sealed class DeploymentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void StateDurations_AreTheTimesBetweenTransitions_NotesIgnored_CurrentStateUpToNow()
    {
        var d = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0);
        d.MoveTo(DeploymentState.Scanning, "scan", T0.AddSeconds(1));
        d.Note("scan passed: 0 finding(s)", T0.AddSeconds(3));
        d.MoveTo(DeploymentState.Building, "build", T0.AddSeconds(4));

        var durations = d.StateDurations(T0.AddSeconds(30));

        Assert.Equal(
            [(DeploymentState.Queued, TimeSpan.FromSeconds(1)), (DeploymentState.Scanning, TimeSpan.FromSeconds(3)), (DeploymentState.Building, TimeSpan.FromSeconds(26))],
            durations);
    }

    [Fact]
    public void StateDurations_OfAFinishedDeployment_StopAtItsEnd()
    {
        var d = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0);
        d.MoveTo(DeploymentState.Scanning, "scan", T0.AddSeconds(1));
        d.Fail(PipelineStage.Scan, "blocked", T0.AddSeconds(2));

        var durations = d.StateDurations(T0.AddHours(1));

        Assert.Equal([(DeploymentState.Queued, TimeSpan.FromSeconds(1)), (DeploymentState.Scanning, TimeSpan.FromSeconds(1))], durations);
    }

    [Fact]
    public void Note_KeepsTheStateButCountsAsAChange()
    {
        var d = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0);
        d.MoveTo(DeploymentState.Scanning, "scan", T0.AddSeconds(1));
        var version = d.Version;

        d.Note("2 blocking finding(s) allowed for this run by --allow-findings", T0.AddSeconds(2));

        Assert.Equal(DeploymentState.Scanning, d.State);
        Assert.False(d.Events[^1].IsTransition);
        Assert.Equal(version + 1, d.Version);
        Assert.Equal(T0.AddSeconds(2), d.UpdatedAt);
    }

    [Fact]
    public void Rollback_GoesFromQueuedStraightToDeploying()
    {
        var d = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0) { RollbackOf = Guid.NewGuid() };

        d.MoveTo(DeploymentState.Deploying, "rolling back", T0.AddSeconds(1));

        Assert.Equal(DeploymentState.Deploying, d.State);
    }

    [Fact]
    public void Restore_GivesBackTheSameDeployment_WithoutCheckingTransitions()
    {
        var id = Guid.NewGuid();
        var events = new[] { new DeploymentEvent(T0.AddSeconds(1), DeploymentState.Queued, DeploymentState.Scanning, "scan") };

        var d = Deployment.Restore(new DeploymentSnapshot(id, "api", "staging", StrategyKind.BlueGreen, "webhook:push", T0)
        {
            State = DeploymentState.Scanning,
            Version = 7,
            UpdatedAt = T0.AddSeconds(1),
            ImageTag = "api:abc",
            ReleaseId = "r1",
            Events = events,
        });

        Assert.Equal((id, "api", "staging", StrategyKind.BlueGreen, "webhook:push"), (d.Id, d.App, d.Environment, d.Strategy, d.TriggeredBy));
        Assert.Equal((DeploymentState.Scanning, 7, "api:abc", "r1"), (d.State, d.Version, d.ImageTag, d.ReleaseId));
        Assert.Equal(events, d.Events);

        // It goes on from where it was.
        d.MoveTo(DeploymentState.Building, "build", T0.AddSeconds(2));
        Assert.Equal(8, d.Version);
    }

    [Fact]
    public void Superseded_IsTerminal_WithItsReason_AndOnlyAQueuedDeploymentGetsThere()
    {
        var queued = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0);
        queued.MoveTo(DeploymentState.Superseded, "superseded by deployment 1a2b3c4d", T0.AddSeconds(1));

        Assert.True(queued.IsFinished);
        Assert.Equal("superseded by deployment 1a2b3c4d", queued.Reason);
        Assert.Equal("superseded", queued.State.Name());

        var running = new Deployment(Guid.NewGuid(), "api", "production", StrategyKind.Rolling, "cli:alice", T0);
        running.MoveTo(DeploymentState.Scanning, "scan", T0.AddSeconds(1));
        Assert.Throws<IllegalTransitionException>(() => running.MoveTo(DeploymentState.Superseded, "too late", T0.AddSeconds(2)));
    }

    [Theory]
    [InlineData("rolled_back", DeploymentState.RolledBack)]
    [InlineData("superseded", DeploymentState.Superseded)]
    [InlineData("RolledBack", DeploymentState.RolledBack)]
    [InlineData("rolled-back", DeploymentState.RolledBack)]
    [InlineData(" failed ", DeploymentState.Failed)]
    [InlineData("SUCCEEDED", DeploymentState.Succeeded)]
    public void Parse_AcceptsTheNamesUsersType(string text, DeploymentState expected) => Assert.Equal(expected, DeploymentStates.Parse(text));

    [Theory]
    [InlineData("done")]
    [InlineData("")]
    [InlineData("7")]
    [InlineData(null)]
    public void Parse_RefusesWhatIsNotAState(string? text) => Assert.Null(DeploymentStates.Parse(text));
}
