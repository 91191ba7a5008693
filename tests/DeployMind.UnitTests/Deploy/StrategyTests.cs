using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Pipeline;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Deploy;

public sealed class StrategyTests
{
    private const string App = "shop";
    private static readonly HealthPolicy Health = new("/health", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(10));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly List<string> _steps = [];

    [Fact]
    public async Task Rolling_HealthyRelease_SwitchesTrafficAndStopsTheOld()
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var now = host.Running("shop:2");
        Assert.Equal([now.Address], host.Route!.Servers.Select(s => s.Address));
        Assert.False(old.Running);
        Assert.Contains(host.Containers, c => c.Spec.Name == "shop-r1"); // kept (stopped) for rollback
        Assert.Equal("3/3 checks passed", outcome.Health!.Summary);
    }

    [Fact]
    public async Task Rolling_PortIsPickedBesideTheListing_NotAfterIt()
    {
        // ss and docker ps at once: a listing that answers only once a port was picked would stall a deploy that picked after it.
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var picked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        host.ListingWaitsFor = picked.Task;
        host.NextPorts.Enqueue(31000);
        var deploy = DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));
        for (var i = 0; i < 500 && host.Allocations == 0; i++)
        {
            await Task.Delay(1);
        }

        Assert.Equal(1, host.Allocations);
        picked.SetResult();
        host.ListingWaitsFor = null;
        var outcome = await deploy;

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(31000, host.Running("shop:2").Spec.Port);
    }

    [Fact]
    public async Task Rolling_PortPickedBesideTheListingIsAStoppedReleasesPort_IsPickedAgain()
    {
        // The pick made beside the listing cannot know the ports of the app's stopped releases (kept for rollbacks): one of
        // them is not given to the new release.
        var host = new FakeDeployHost();
        var kept = host.Seed(App, "r0", "shop:0", _time.GetUtcNow().AddHours(-2));
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        kept.Running = false;
        host.NextPorts.Enqueue(kept.Spec.Port);

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.NotEqual(kept.Spec.Port, host.Running("shop:2").Spec.Port);
        Assert.Equal(2, host.Allocations);
    }

    [Theory]
    [InlineData(StrategyKind.Rolling)]
    [InlineData(StrategyKind.Canary)]
    [InlineData(StrategyKind.BlueGreen)]
    public async Task Deploy_ContainerSettings_EveryReleaseContainerRunsWithThemAndTheOldStopsWithinTheStopTimeout(StrategyKind kind)
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));
        var settings = new ContainerSettings { StopTimeout = TimeSpan.FromSeconds(3), Restart = "always", Cpus = 0.5m, MemoryBytes = 256L << 20, Volumes = ["data:/data"] };

        var outcome = await DriveAsync(Strategy(kind).DeployAsync(Request("r2", "shop:2", host) with { Container = settings }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var started = host.Running("shop:2").Spec;
        Assert.Equal((true, (TimeSpan?)TimeSpan.FromSeconds(3), "always", (decimal?)0.5m, (long?)(256L << 20)), (started.Init, started.StopTimeout, started.Restart, started.Cpus, started.MemoryBytes));
        Assert.Equal(["data:/data"], started.Volumes);
        Assert.Equal(TimeSpan.FromSeconds(3), host.StopGraces["shop-r1"]);
    }

    [Fact]
    public async Task Rolling_ReleaseThatNeverGetsHealthy_ItsImageGoesWithItsContainer()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.UnhealthyImages.Add("shop:2");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Equal(["shop:2"], host.RemovedImages);
    }

    [Fact]
    public async Task Rolling_FailedReleaseOfAnImageAnotherContainerUses_KeepsTheImage()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Seed("shop-pr-7", "p1", "shop:2", _time.GetUtcNow().AddHours(-1)).Running = false;
        host.UnhealthyImages.Add("shop:2");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Empty(host.RemovedImages);
    }

    [Fact]
    public async Task DeferRetirement_Reverted_TheRejectedReleasesImageIsRemovedAndThePreviousOnesKept()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host) with { DeferRetirement = true }, Observer(), CancellationToken.None));

        await DriveAsync(outcome.Switch!.RevertAsync(Observer()));

        Assert.Equal(["shop:2"], host.RemovedImages);
        Assert.True(host.Running("shop:1").Running);
    }

    [Fact]
    public async Task Rolling_MoreReleasesThanKept_RemovesTheOldestWithTheirImages()
    {
        var host = new FakeDeployHost();
        for (var i = 1; i <= 4; i++)
        {
            var old = host.Seed(App, $"r{i}", $"shop:{i}", _time.GetUtcNow().AddHours(i - 10));
            old.Running = i == 4;
        }

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r5", "shop:5", host) with { KeepReleases = 2 }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(["shop-r4", "shop-r5"], host.Containers.Select(c => c.Spec.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["shop:1", "shop:2", "shop:3"], host.RemovedImages.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rolling_PruneFailsAfterTheSwitch_SucceedsReportsItAndTheNewReleaseServes()
    {
        var host = new FakeDeployHost();
        for (var i = 1; i <= 3; i++)
        {
            var old = host.Seed(App, $"r{i}", $"shop:{i}", _time.GetUtcNow().AddHours(i - 10));
            old.Running = i == 3;
        }

        host.RemoveFailures["shop-r1"] = new DeployMindException("ssh deploy@web-1: connection lost");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r4", "shop:4", host) with { KeepReleases = 2 }, Observer(), CancellationToken.None));

        // Done before the housekeeping: serving the new release, the previous one stopped (kept for rollbacks).
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal([host.Running("shop:4").Address], host.Route!.Servers.Select(s => s.Address));
        Assert.Contains("shop-r3", host.Stopped);
        Assert.Contains(host.Containers, c => c.Spec.Name == "shop-r3");

        // The housekeeping removed r2, then failed on r1: reported, not thrown; r1 stays for a later deploy.
        Assert.DoesNotContain(host.Containers, c => c.Spec.Name == "shop-r2");
        Assert.Contains(host.Containers, c => c.Spec.Name == "shop-r1");
        var failed = Assert.Single(_steps, s => s.Contains("could not remove old release shop-r1", StringComparison.Ordinal));
        Assert.Contains("connection lost", failed, StringComparison.Ordinal);
        Assert.Contains("the deploy is done and the new release serves", failed, StringComparison.Ordinal);
        Assert.True(_steps.IndexOf("local: stopping shop-r3") < _steps.IndexOf("local: removing old release shop-r2"), string.Join("\n", _steps));
    }

    [Fact]
    public async Task Rolling_PreviousRouteAndRetirement_UseTheLaunchListing_HousekeepingListsAgain()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        // One listing before the launch (under the lock, what the previous route and the stop are checked against), one for pruning after the deploy is done.
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(2, host.Listings);
        Assert.Equal(["shop-r1"], host.Stopped);
        Assert.Equal("r1", Assert.Single(outcome.Switch!.PreviousReleases));
    }

    [Fact]
    public async Task DeferRetirement_RevertedThenRetired_PrunesNothing()
    {
        var host = new FakeDeployHost();
        for (var i = 1; i <= 3; i++)
        {
            var old = host.Seed(App, $"r{i}", $"shop:{i}", _time.GetUtcNow().AddHours(i - 10));
            old.Running = i == 3;
        }

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r4", "shop:4", host) with { KeepReleases = 1, DeferRetirement = true }, Observer(), CancellationToken.None));
        await DriveAsync(outcome.Switch!.RevertAsync(Observer()));
        await DriveAsync(outcome.Switch.RetireAsync(Observer(), CancellationToken.None));

        // Reverted: the previous release serves again and no release is pruned relative to the rejected one.
        Assert.Equal(["shop-r1", "shop-r2", "shop-r3"], host.Containers.Select(c => c.Spec.Name).Order(StringComparer.Ordinal));
        Assert.True(host.Running("shop:3").Running);
        Assert.Equal(TimeSpan.Zero, await outcome.Switch.PruneAsync(Observer(), CancellationToken.None));
    }

    [Fact]
    public async Task Rolling_ReleaseThatCrashes_FailsWithLogsAndLeavesTheOldServing()
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var before = host.Route;
        host.CrashingImages.Add("shop:2");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("panic: cannot start", outcome.Reason, StringComparison.Ordinal);
        Assert.Same(before, host.Route);
        Assert.True(old.Running);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Rolling_ReleaseListeningOnAnotherPort_FailsBeforeTheDeadlineAndLeavesTheOldServing()
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var before = host.Route;
        host.FixedPorts["shop:2"] = 5000;

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("the app in container shop-r2 listens on 5000, not on $PORT=", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("listening on :5000", outcome.Reason, StringComparison.Ordinal);
        // Ports are asked once the app is past its start (the first interval, checked every StartupRetry while refused), then twice in a row.
        Assert.InRange(outcome.Health!.Attempts, HealthChecker.WrongPortChecks + 1, 10);
        Assert.True(outcome.Health.Elapsed < Health.Deadline, $"failed after {outcome.Health.Elapsed}");
        Assert.Same(before, host.Route);
        Assert.True(old.Running);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Rolling_SecondHostFails_FirstHostIsPutBack()
    {
        var web1 = new FakeDeployHost("web-1");
        var web2 = new FakeDeployHost("web-2");
        web1.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        web2.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var web1Before = web1.Route;
        web2.UnhealthyImages.Add("shop:2");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", web1, web2), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("web-2", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("were put back", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(2, web1.Applied.Count); // switched, then put back
        Assert.Equal(web1Before, web1.Route);
        Assert.True(web1.Running("shop:1").Running);
        Assert.DoesNotContain(web1.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Rolling_DockerFailsOnSecondHost_FailsAndPutsFirstHostBack()
    {
        var web1 = new FakeDeployHost("web-1");
        var web2 = new FakeDeployHost("web-2");
        web1.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        web2.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var web1Before = web1.Route;
        web2.UnrunnableImages.Add("shop:2");

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", web1, web2), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("no such image", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(web1Before, web1.Route);
        Assert.DoesNotContain(web1.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Canary_ErrorsAtFirstStep_RollsBackWithTheFigures()
    {
        var host = new FakeDeployHost();
        var stable = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var stableRoute = host.Route;
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => s.Label == "r2" ? new UpstreamStats(40, 12, 30) : new UpstreamStats(360, 0, 20));

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Equal(10, outcome.CanaryPercentReached);
        var step = Assert.Single(outcome.CanarySteps);
        Assert.Equal(CanaryVerdict.Unhealthy, step.Verdict);
        Assert.Equal((40, 12), (step.Canary.Requests, step.Canary.ServerErrors));
        Assert.Contains("canary 12/40 5xx (30.0%)", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(_steps, s => s.Contains("Unhealthy before the step ended", StringComparison.Ordinal));
        Assert.True(outcome.Duration < TimeSpan.FromSeconds(10), $"a breach should end the 10 s step early ({outcome.Duration})");
        Assert.Equal([90, 10], host.Applied[0].Servers.Select(s => s.Weight));
        Assert.Equal(stableRoute, host.Route);
        Assert.True(stable.Running);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Canary_HealthyAtEveryStep_PromotesThroughTheStepsTo100()
    {
        var host = new FakeDeployHost();
        var stable = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(100, outcome.CanaryPercentReached);
        Assert.Equal([[90, 10], [50, 50], [1]], host.Applied.Select(r => r.Servers.Select(s => s.Weight).ToArray()));
        Assert.Equal(2, outcome.CanarySteps.Count);
        Assert.False(stable.Running);
        Assert.Equal(host.Running("shop:2").Address, Assert.Single(host.Route!.Servers).Address);
    }

    [Fact]
    public async Task Canary_WindowWithAGap_TheStepDecisionSaysWhatWasNotCounted()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));
        host.TrafficGaps = ["the access log was truncated between two reads"];

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.All(outcome.CanarySteps, s => Assert.EndsWith("; not counted: " + host.Host.Name + ": the access log was truncated between two reads", s.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Canary_RouteLeftToRemovedContainers_IsTreatedAsFirstDeploy()
    {
        var host = new FakeDeployHost();
        var gone = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await ((IContainerRuntime)host).RemoveAsync(gone.Spec.Name, CancellationToken.None);

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Empty(outcome.CanarySteps);
        Assert.Equal([1], host.Applied.Single().Servers.Select(s => s.Weight));
    }

    [Fact]
    public async Task Canary_TooFewRequests_ExtendsThenRollsBackAsInsufficientData()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(s.Label == "r2" ? 3 : 30, 0, 20));

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Equal(3, outcome.CanarySteps.Count); // the step and its two extensions
        Assert.All(outcome.CanarySteps, s => Assert.Equal(CanaryVerdict.InsufficientData, s.Verdict));
        Assert.Contains("insufficient data", outcome.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_TooFewRequests_RollbackNamesTheSettingsAndTheTrafficNeeded()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(s.Label == "r2" ? 3 : 30, 0, 20));

        var outcome = await DriveAsync(Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        // 20 canary requests in a 10 s step at 10% of the traffic: 20 / 10 / 0.1 = 20 requests/s must reach the app.
        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Contains("the canary saw 3 of the 20 requests canary.minRequests asks for in 10s at 10%", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("about 20 requests/s must reach the app for a step of 10s", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("canary.stepDuration", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains("canary.onInsufficientData is extend", outcome.Reason, StringComparison.Ordinal);
        Assert.EndsWith("Traffic is back on the stable release.", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(2, _steps.Count(s => s.Contains("the step runs again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Canary_LongStep_ReportsProgressAFewTimesAStep()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => s.Label == "r2" ? new UpstreamStats(12, 0, 40) : new UpstreamStats(108, 0, 20));
        var request = Request("r2", "shop:2", host) with { Canary = new CanaryPolicy([10, 100], TimeSpan.FromSeconds(60), 0.05, 50, InsufficientDataAction.Pass) };

        var outcome = await DriveAsync(Canary().DeployAsync(request, Observer(), CancellationToken.None));

        // A 60 s step checked every second: a report every 6 s (a tenth of the step), none at its end.
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var progress = _steps.Where(s => s.StartsWith("canary: progress: ", StringComparison.Ordinal)).ToList();
        Assert.InRange(progress.Count, 8, 10);
        Assert.StartsWith("canary: progress: canary 10%: 12/50 requests, 0 errors, p95 40 ms, need ", progress[0], StringComparison.Ordinal);
        Assert.Contains(" more canary requests, about ", progress[0], StringComparison.Ordinal);
        Assert.EndsWith(", 54s left", progress[0], StringComparison.Ordinal);
        Assert.EndsWith("6s left", progress[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Canary_CancelledMidStep_PutsTrafficBackAndRemovesTheCanary()
    {
        var host = new FakeDeployHost();
        var stable = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var stableRoute = host.Route;
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, _ => new UpstreamStats(5, 0, 20));
        using var cts = new CancellationTokenSource();
        var deploy = Canary().DeployAsync(Request("r2", "shop:2", host), Observer(), cts.Token);
        for (var i = 0; i < 1000 && host.Applied.Count == 0; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DriveAsync(deploy));
        Assert.Equal(stableRoute, host.Route);
        Assert.True(stable.Running);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task BlueGreen_FirstDeploy_SkipsTheObservationWindow()
    {
        var host = new FakeDeployHost();

        var outcome = await DriveAsync(BlueGreen().DeployAsync(Request("r1", "shop:1", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.DoesNotContain(_steps, s => s.Contains("observing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlueGreen_BadObservationWindow_SwitchesBackToThePreviousColour()
    {
        var host = new FakeDeployHost();
        var blue = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var before = host.Route;
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, _ => new UpstreamStats(100, 40, 20));

        var outcome = await DriveAsync(BlueGreen().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.RolledBack, outcome.Status);
        Assert.Contains("error rate 40.0%", outcome.Reason, StringComparison.Ordinal);
        Assert.Equal(before, host.Route);
        Assert.True(blue.Running);
        Assert.Contains(_steps, s => s.Contains("idle colour (blue)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlueGreen_GoodWindow_KeepsNewColourAndStopsTheOld()
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, _ => new UpstreamStats(100, 0, 20));

        var outcome = await DriveAsync(BlueGreen().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.False(old.Running);
        Assert.Equal("shop-r2-blue", host.Running("shop:2").Spec.Name);
    }

    [Fact]
    public async Task BlueGreen_ObservationWindow_ReportsProgress()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, _ => new UpstreamStats(100, 0, 20));

        var outcome = await DriveAsync(BlueGreen().DeployAsync(Request("r2", "shop:2", host) with { ObservationWindow = TimeSpan.FromSeconds(30) }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var progress = _steps.Where(s => s.StartsWith("blue-green: progress: ", StringComparison.Ordinal)).ToList();
        Assert.InRange(progress.Count, 4, 5); // every 5 s of 30, none at the end
        Assert.Equal("blue-green: progress: new colour: 100 requests, 0 errors, p95 20 ms, 25s left", progress[0]);
    }

    [Fact]
    public async Task Rollback_AfterADeploy_GoesBackToThePreviousReleaseFromHostLabels()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));

        var (release, outcome) = await DriveAsync(new RollbackService(Rolling()).RollbackAsync(Request("ignored", "ignored", host), Observer(), CancellationToken.None));

        Assert.Equal(("r1", "shop:1"), (release.ReleaseId, release.Image));
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var restarted = host.Running("shop:1");
        Assert.Equal("shop-r1", restarted.Spec.Name); // the kept container itself, with its environment and port
        Assert.Equal(restarted.Address, Assert.Single(host.Route!.Servers).Address);
        Assert.Contains(_steps, s => s.Contains("starting kept release shop-r1 again", StringComparison.Ordinal));
        await Assert.ThrowsAsync<DeployMind.Domain.DeployMindException>(
            () => DriveAsync(new RollbackService(Rolling()).RollbackAsync(Request("ignored", "ignored", host), Observer(), CancellationToken.None)));
    }

    [Fact]
    public async Task Rollback_KeptContainerThere_StartsItAgainWithoutResolvingTheAppsVariables()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));
        var resolved = 0;
        var template = Request("ignored", "ignored", host) with { FreshVariables = _ => { resolved++; return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>()); } };

        var (_, outcome) = await DriveAsync(new RollbackService(Rolling()).RollbackAsync(template, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(0, resolved); // the fast path reads no secret store
    }

    [Fact]
    public async Task Rollback_KeptContainerGone_NewContainerGetsTheAppsVariablesAndSettings()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));
        await host.RemoveAsync("shop-r1", CancellationToken.None); // only the image is left
        var settings = new ContainerSettings { StopTimeout = TimeSpan.FromSeconds(3), Restart = "always", Cpus = 0.5m, MemoryBytes = 256L << 20, Volumes = ["data:/data"] };
        var template = Request("ignored", "ignored", host) with
        {
            Container = settings,
            FreshVariables = _ => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["API_KEY"] = "k1", ["MODE"] = "demo" }),
        };
        var target = new ReleaseSpec(App, "r1", "shop:1", null);

        var outcome = await DriveAsync(new RollbackService(Rolling()).RollbackToAsync(template, target, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var started = host.Running("shop:1").Spec;
        Assert.Equal("shop-r1", started.Name);
        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = "k1", ["MODE"] = "demo" }, started.Environment);
        Assert.Equal((true, (TimeSpan?)TimeSpan.FromSeconds(3), "always", (decimal?)0.5m, (long?)(256L << 20)), (started.Init, started.StopTimeout, started.Restart, started.Cpus, started.MemoryBytes));
        Assert.Equal(["data:/data"], started.Volumes);
        Assert.Contains(_steps, s => s.Contains("kept container of r1 is gone on local", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_KeptContainerGoneAndASecretMissing_FailsBeforeAnythingChanges()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));
        await host.RemoveAsync("shop-r1", CancellationToken.None);
        var serving = host.Route;
        var containers = host.Containers.Select(c => (c.Spec.Name, c.Running)).ToList();
        var template = Request("ignored", "ignored", host) with
        {
            FreshVariables = _ => throw new DeployMind.Application.Deploy.Secrets.MissingSecretException("A secret is missing, so nothing was deployed: API_KEY: looked in env file /etc/shop.env (no such file)."),
        };

        var ex = await Assert.ThrowsAsync<DeployMind.Application.Deploy.Secrets.MissingSecretException>(
            () => DriveAsync(new RollbackService(Rolling()).RollbackToAsync(template, new ReleaseSpec(App, "r1", "shop:1", null), Observer(), CancellationToken.None)));

        Assert.Contains("API_KEY: looked in env file /etc/shop.env (no such file)", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Release r1 must start in a new container on local (its kept container is gone)", ex.Message, StringComparison.Ordinal);
        Assert.Same(serving, host.Route);
        Assert.Equal(containers, host.Containers.Select(c => (c.Spec.Name, c.Running)).ToList());
    }

    [Fact]
    public async Task Rollback_WithoutAVariablesSourceAndTheKeptContainerGone_NewContainerGetsTheTemplatesVariables()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host), Observer(), CancellationToken.None));
        await host.RemoveAsync("shop-r1", CancellationToken.None);

        // A pipeline's rollback of its own deploy: the deploy's request, whose variables were resolved for it.
        var deployed = Request("r2", "shop:2", host);
        deployed = deployed with { Release = deployed.Release with { Environment = new Dictionary<string, string> { ["API_KEY"] = "k2" } } };
        var outcome = await DriveAsync(new RollbackService(Rolling()).RollbackToAsync(deployed, new ReleaseSpec(App, "r1", "shop:1", null), Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.Equal(new Dictionary<string, string> { ["API_KEY"] = "k2" }, host.Running("shop:1").Spec.Environment);
    }

    [Theory]
    [InlineData(StrategyKind.Rolling)]
    [InlineData(StrategyKind.Canary)]
    [InlineData(StrategyKind.BlueGreen)]
    public async Task Deploy_WebReplicasAndAWorker_RoutesEveryReplicaStartsTheWorkerAndRetiresTheOldOnes(StrategyKind kind)
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var oldWorker = await SeedWorkerAsync(host, "r1", "shop:1");
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));

        var outcome = await DriveAsync(Strategy(kind).DeployAsync(Request("r2", "shop:2", host) with { Processes = WebAndWorker(webReplicas: 2) }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var web = host.Containers.Where(c => c.Running && c.Spec.Image == "shop:2" && c.Spec.Port > 0).ToList();
        Assert.Equal(2, web.Count);
        Assert.Equal(web.Select(c => c.Address).Order(), host.Route!.Servers.Select(s => s.Address).Order());
        var worker = host.Containers.Single(c => c.Running && c.Spec.Image == "shop:2" && c.Spec.Port == 0);
        Assert.Equal(["node", "worker.js"], worker.Spec.Command);
        Assert.Equal(("worker", "1"), (worker.Spec.Labels[ContainerLabels.Process], worker.Spec.Labels[ContainerLabels.Replica]));
        Assert.False(oldWorker.Running); // stopped with the release it belongs to, kept for a rollback
        Assert.Contains(host.Containers, c => c.Spec.Name == oldWorker.Spec.Name);
    }

    [Theory]
    [InlineData(StrategyKind.Rolling, false)]
    [InlineData(StrategyKind.Rolling, true)]
    [InlineData(StrategyKind.Canary, false)]
    [InlineData(StrategyKind.BlueGreen, true)]
    public async Task Deploy_WorkerThatCrashesOrIsRestarted_FailsNamingTheProcessAndTheOldReleaseKeepsServing(StrategyKind kind, bool restarting)
    {
        var host = new FakeDeployHost();
        var oldWeb = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var oldWorker = await SeedWorkerAsync(host, "r1", "shop:1");
        var route = host.Route;
        (restarting ? host.RestartingProcesses : host.CrashingProcesses).Add("worker");

        var outcome = await DriveAsync(Strategy(kind).DeployAsync(Request("r2", "shop:2", host) with { Processes = WebAndWorker(webReplicas: 1) }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Failed, outcome.Status);
        Assert.Contains("The worker process did not stay up for 5s", outcome.Reason, StringComparison.Ordinal);
        Assert.Contains(restarting ? "restarted 2 time(s)" : "exited with code 1", outcome.Reason, StringComparison.Ordinal);
        Assert.Same(route, host.Route);
        Assert.True(oldWeb.Running && oldWorker.Running);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Deploy_WorkerUp_WaitsItsStayUpTimeBeforeTheSwitch()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var processes = WebAndWorker(webReplicas: 1) with { Others = [new ProcessSpec("worker", ["node", "worker.js"], 1, TimeSpan.FromSeconds(20))] };
        var started = _time.GetUtcNow();

        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host) with { Processes = processes }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        var switchedAt = _steps.FindIndex(s => s.Contains("traffic switched", StringComparison.Ordinal));
        Assert.True(_steps.FindIndex(s => s.Contains("shop-r2-worker-1 (worker) is up", StringComparison.Ordinal)) is var up && up >= 0 && up < switchedAt);
        Assert.True(_time.GetUtcNow() - started >= TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Canary_Weighted_GivesTheCanaryItsExactShareWhateverTheReplicas()
    {
        var host = new FakeDeployHost();
        var request = Request("r2", "shop:2", host);
        var canary = new LaunchedRelease(host.Host, "shop-r2", 30001, new HealthReport(true, 3, 3, 3, TimeSpan.Zero, null))
        {
            Replicas = [("shop-r2", 30001), ("shop-r2-web-2", 30002)],
        };
        var stable = new RouteSpec(App, 8080, [new UpstreamServer("127.0.0.1:30000", 1, "r1"), new UpstreamServer("127.0.0.1:29999", 1, "r1"), new UpstreamServer("127.0.0.1:29998", 1, "r1")]);

        var route = CanaryStrategy.Weighted(request, canary, stable, 10);

        var canaryWeight = route.Servers.Where(s => s.Label == "r2").Sum(s => s.Weight);
        Assert.Equal(2, route.Servers.Count(s => s.Label == "r2"));
        Assert.Equal(0.10, (double)canaryWeight / route.Servers.Sum(s => s.Weight), 6);
    }

    [Fact]
    public async Task Rollback_KeptRelease_ItsChecksAreNotSpacedByTheSteadyStateInterval()
    {
        var host = new FakeDeployHost();
        var slow = new HealthPolicy("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(30));
        await DriveAsync(Rolling().DeployAsync(Request("r1", "shop:1", host) with { Health = slow }, Observer(), CancellationToken.None));
        var deployed = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host) with { Health = slow }, Observer(), CancellationToken.None));

        var (_, outcome) = await DriveAsync(new RollbackService(Rolling()).RollbackAsync(Request("ignored", "ignored", host) with { Health = slow }, Observer(), CancellationToken.None));

        Assert.True(deployed.Health!.Elapsed >= TimeSpan.FromSeconds(4), $"a new release waits the interval between its 3 checks ({deployed.Health.Elapsed})");
        Assert.Equal((DeployStatus.Succeeded, "3/3 checks passed"), (outcome.Status, outcome.Health!.Summary));
        Assert.True(outcome.Health.Elapsed < TimeSpan.FromSeconds(2), $"the kept release's checks took {outcome.Health.Elapsed}");
    }

    [Fact]
    public async Task Rollback_ReleaseWithAWorker_StartsItsKeptWorkerAgainAndStopsTheNewOnes()
    {
        var host = new FakeDeployHost();
        await DriveAsync(Rolling().DeployAsync(Request("r1", "shop:1", host) with { Processes = WebAndWorker(webReplicas: 1) }, Observer(), CancellationToken.None));
        await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host) with { Processes = WebAndWorker(webReplicas: 1) }, Observer(), CancellationToken.None));

        var (release, outcome) = await DriveAsync(new RollbackService(Rolling()).RollbackAsync(Request("ignored", "ignored", host), Observer(), CancellationToken.None));

        Assert.Equal((DeployStatus.Succeeded, "r1"), (outcome.Status, release.ReleaseId));
        Assert.Equal(["shop-r1", "shop-r1-worker-1"], host.Containers.Where(c => c.Running).Select(c => c.Spec.Name).Order(StringComparer.Ordinal));
        Assert.Contains(_steps, s => s.Contains("starting kept worker shop-r1-worker-1 again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rolling_MoreReleasesThanKept_RemovesOldReleasesWhole()
    {
        var host = new FakeDeployHost();
        foreach (var (release, minutes) in new[] { ("r1", 1), ("r2", 2), ("r3", 3) })
        {
            _time.Advance(TimeSpan.FromMinutes(minutes));
            await DriveAsync(Rolling().DeployAsync(Request(release, $"shop:{release}", host) with { Processes = WebAndWorker(webReplicas: 2), KeepReleases = 2 }, Observer(), CancellationToken.None));
        }

        Assert.DoesNotContain(host.Containers, c => c.Spec.Labels[ContainerLabels.Release] == "r1");
        Assert.Equal(3, host.Containers.Count(c => c.Spec.Labels[ContainerLabels.Release] == "r2"));
        Assert.Contains("shop:r1", host.RemovedImages);
    }

    private static ReleaseProcesses WebAndWorker(int webReplicas) =>
        new() { WebReplicas = webReplicas, Others = [new ProcessSpec("worker", ["node", "worker.js"], 1, ReleaseProcesses.DefaultStayUp)] };

    private async Task<FakeDeployHost.FakeContainer> SeedWorkerAsync(FakeDeployHost host, string release, string image)
    {
        var spec = new ContainerSpec($"{App}-{release}-worker-1", image, 0)
        {
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.App] = App,
                [ContainerLabels.Release] = release,
                [ContainerLabels.Process] = "worker",
                [ContainerLabels.Replica] = "1",
                [ContainerLabels.StartedAt] = _time.GetUtcNow().AddHours(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        await host.RunAsync(spec, CancellationToken.None);
        return host.Containers.Single(c => c.Spec.Name == spec.Name);
    }

    [Theory]
    [InlineData(false, 30)]
    [InlineData(true, 0)]
    public async Task DeferRetirement_Reverted_RemovesTheNewContainersOnceTheRouterIsDrainedAtMostTheDrain(bool drained, int atLeastSeconds)
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var outcome = await DriveAsync(Rolling().DeployAsync(Request("r2", "shop:2", host) with { DeferRetirement = true, Drain = TimeSpan.FromSeconds(30) }, Observer(), CancellationToken.None));
        host.Drained = drained;
        var started = _time.GetUtcNow();

        await DriveAsync(outcome.Switch!.RevertAsync(Observer()));

        var took = _time.GetUtcNow() - started;
        Assert.True(took >= TimeSpan.FromSeconds(atLeastSeconds) && took < TimeSpan.FromSeconds(atLeastSeconds + 5), $"the revert took {took}");
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Theory]
    [InlineData(StrategyKind.Rolling)]
    [InlineData(StrategyKind.Canary)]
    [InlineData(StrategyKind.BlueGreen)]
    public async Task DeferRetirement_Reverted_TrafficGoesBackToThePreviousReleaseThatNeverStopped(StrategyKind kind)
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var before = host.Route;
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));

        var outcome = await DriveAsync(Strategy(kind).DeployAsync(Request("r2", "shop:2", host) with { DeferRetirement = true }, Observer(), CancellationToken.None));

        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        Assert.True(outcome.Switch!.Pending);
        Assert.True(old.Running);
        Assert.Equal(host.Running("shop:2").Address, Assert.Single(host.Route!.Servers).Address);
        Assert.Equal(["r1"], outcome.Switch.PreviousReleases);

        await DriveAsync(outcome.Switch.RevertAsync(Observer()));

        Assert.False(outcome.Switch.Pending);
        Assert.Equal(before, host.Route);
        Assert.True(old.Running);
        Assert.Empty(host.Stopped);
        Assert.DoesNotContain(host.Containers, c => c.Spec.Image == "shop:2");
    }

    [Theory]
    [InlineData(StrategyKind.Rolling)]
    [InlineData(StrategyKind.Canary)]
    [InlineData(StrategyKind.BlueGreen)]
    public async Task DeferRetirement_Retired_StopsThePreviousReleaseAndKeepsIt(StrategyKind kind)
    {
        var host = new FakeDeployHost();
        var old = host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.Traffic = (route, _, _) => route!.Servers.ToDictionary(s => s.Address, s => new UpstreamStats(1000 * s.Weight, 0, 20));
        var outcome = await DriveAsync(Strategy(kind).DeployAsync(Request("r2", "shop:2", host) with { DeferRetirement = true }, Observer(), CancellationToken.None));
        Assert.Empty(host.Stopped);

        await DriveAsync(outcome.Switch!.RetireAsync(Observer(), CancellationToken.None));

        Assert.False(outcome.Switch.Pending);
        Assert.Equal(["shop-r1"], host.Stopped);
        Assert.False(old.Running);
        Assert.Contains(host.Containers, c => c.Spec.Name == "shop-r1");
        Assert.Equal(host.Running("shop:2").Address, Assert.Single(host.Route!.Servers).Address);
    }

    [Theory]
    [InlineData(3, 0, 6)]
    [InlineData(0, 29, 36)]
    public async Task Verify_ConsistentFailure_EndsAfterVerifyFailuresInARowElseAtTheDeadline(int failures, int atLeastSeconds, int belowSeconds)
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.BrokenPaths["shop:2"] = "/ready";
        var context = await DeployedAsync(Request("r2", "shop:2", host));
        var app = new AppOptions();
        app.Environments["production"] = new EnvironmentOptions { Verify = new VerifyOptions { Path = "/ready", Failures = failures } };
        var started = _time.GetUtcNow();

        // The time includes the rollback's own health checks on the restarted release (about 3 s here).
        var report = await DriveAsync(Verify(app).RunAsync(context, CancellationToken.None));

        var took = _time.GetUtcNow() - started;
        Assert.Equal(StageOutcome.RolledBack, report.Outcome);
        Assert.Contains(failures > 0 ? "status 404, 3 times in a row" : "status 404 (no 3 good answers in a row within 30s)", report.Summary, StringComparison.Ordinal);
        Assert.InRange(took, TimeSpan.FromSeconds(atLeastSeconds), TimeSpan.FromSeconds(belowSeconds));
    }

    [Fact]
    public async Task Verify_ComparedPathWithA404OnBothReleases_IsNoFailure()
    {
        // The compared paths must stay below 500, not below 400: a / that needs a login (401, 404) on both releases passes.
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        host.BrokenPaths["shop:1"] = "/";
        host.BrokenPaths["shop:2"] = "/";
        var request = Request("r2", "shop:2", host);
        var app = new AppOptions();
        app.Environments["production"] = new EnvironmentOptions { Verify = new VerifyOptions { Interval = "200ms" } };
        var baseline = await ReleaseBaseline.RecordAsync(request, app.Environment("production").Verify.ToPolicy("v", "/health"), Observer(), CancellationToken.None);
        var context = await DeployedAsync(request);
        context.Baseline = baseline;

        var report = await DriveAsync(Verify(app).RunAsync(context, CancellationToken.None));

        Assert.Equal(StageOutcome.Passed, report.Outcome);
        Assert.Equal("/health answered 3/3 through nginx on local; / answered below 500 as on the previous release", report.Summary);
        Assert.Equal("404", baseline.Working("local")["/"]);
    }

    [Fact]
    public void ReleaseBaseline_PathThatFailedOrDidNotAnswerOnce_IsNotCompared()
    {
        var baseline = new ReleaseBaseline(new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<int?>>>
        {
            ["web-1"] = new Dictionary<string, IReadOnlyList<int?>> { ["/"] = [200, 500, 200], ["/health"] = [200, 200, 200], ["/api"] = [401, null, 401], ["/login"] = [302, 200] },
        });

        Assert.Equal(new Dictionary<string, string> { ["/health"] = "200", ["/login"] = "302, 200" }, baseline.Working("web-1"));
        Assert.Empty(baseline.Working("web-2"));
    }

    [Theory]
    [InlineData(true, null, new[] { "/", "/health" })]
    [InlineData(true, "/ready", new[] { "/", "/health", "/ready" })]
    [InlineData(true, "/", new[] { "/", "/health" })]
    [InlineData(false, "/ready", new string[0])]
    public void VerifyOptions_Compare_ComparesRootTheHealthPathAndTheVerifyPath(bool compare, string? path, string[] expected)
    {
        var policy = new VerifyOptions { Compare = compare, Path = path }.ToPolicy("environments.production.verify", "/health");

        Assert.Equal(expected, policy.Compared);
        Assert.Equal(3, policy.Failures);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(101)]
    public void VerifyOptions_FailuresOutOfRange_NamesTheKey(int failures)
    {
        var error = Assert.Throws<DeployMind.Domain.InvalidInputException>(() => new VerifyOptions { Failures = failures }.ToPolicy("environments.production.verify", "/health"));

        Assert.StartsWith($"environments.production.verify.failures: {failures} is out of range", error.Message, StringComparison.Ordinal);
    }

    private IDeploymentStrategy Strategy(StrategyKind kind) => kind switch
    {
        StrategyKind.Canary => Canary(),
        StrategyKind.BlueGreen => BlueGreen(),
        _ => Rolling(),
    };

    private RollingStrategy Rolling() => new(Launcher(), _time);

    private CanaryStrategy Canary() => new(Launcher(), _time);

    private BlueGreenStrategy BlueGreen() => new(Launcher(), _time);

    private ReleaseLauncher Launcher() => new(new HealthChecker(new UnusedProbe(), _time), _time);

    [Fact]
    public async Task Verify_AnswersWellThroughTheRouter_Passes()
    {
        var host = new FakeDeployHost();
        host.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var context = await DeployedAsync(Request("r2", "shop:2", host));

        var report = await DriveAsync(Verify().RunAsync(context, CancellationToken.None));

        Assert.Equal(StageOutcome.Passed, report.Outcome);
        Assert.Contains("/ready answered 3/3 through nginx on local", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_PathBrokenInTheNewRelease_RollsEveryHostBackToThePreviousRelease()
    {
        var (web1, web2) = (new FakeDeployHost("web-1"), new FakeDeployHost("web-2"));
        web1.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        web2.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        web2.BrokenPaths["shop:2"] = "/ready";
        var context = await DeployedAsync(Request("r2", "shop:2", web1, web2));

        var report = await DriveAsync(Verify().RunAsync(context, CancellationToken.None));

        Assert.Equal(StageOutcome.RolledBack, report.Outcome);
        Assert.Contains("web-2", report.Summary, StringComparison.Ordinal);
        Assert.Contains("status 404", report.Summary, StringComparison.Ordinal);
        Assert.Contains("rolled back to r1", report.Summary, StringComparison.Ordinal);
        Assert.Equal("r1", Assert.Single(web1.Route!.Servers).Label);
        Assert.Equal("r1", Assert.Single(web2.Route!.Servers).Label);
    }

    [Fact]
    public async Task Verify_PathBrokenOnTheSecondHostWithThePreviousStillRunning_PutsEveryHostBackWithoutARestart()
    {
        var (web1, web2) = (new FakeDeployHost("web-1"), new FakeDeployHost("web-2"));
        var old1 = web1.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        var old2 = web2.Seed(App, "r1", "shop:1", _time.GetUtcNow().AddHours(-1));
        web2.BrokenPaths["shop:2"] = "/ready";
        var context = await DeployedAsync(Request("r2", "shop:2", web1, web2) with { DeferRetirement = true });

        var report = await DriveAsync(Verify().RunAsync(context, CancellationToken.None));

        Assert.Equal(StageOutcome.RolledBack, report.Outcome);
        Assert.Equal(
            "verification failed (http://127.0.0.1:8080/ready through nginx on web-2: status 404, 3 times in a row); traffic went straight back to r1, which kept running, and r2 was removed",
            report.Summary);
        Assert.Equal((old1.Address, old2.Address), (Assert.Single(web1.Route!.Servers).Address, Assert.Single(web2.Route!.Servers).Address));
        Assert.Equal((true, true), (old1.Running, old2.Running));
        Assert.Empty(web1.Stopped.Concat(web2.Stopped));
        Assert.DoesNotContain(web1.Containers.Concat(web2.Containers), c => c.Spec.Image == "shop:2");
    }

    [Fact]
    public async Task Verify_FailsWithNoEarlierRelease_HaltsAndSaysTheNewReleaseStays()
    {
        var host = new FakeDeployHost();
        host.BrokenPaths["shop:1"] = "/ready";
        var context = await DeployedAsync(Request("r1", "shop:1", host));

        var report = await DriveAsync(Verify().RunAsync(context, CancellationToken.None));

        Assert.Equal(StageOutcome.Halted, report.Outcome);
        Assert.Contains("the new release stays in place", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_Disabled_PassesWithoutARequest()
    {
        var host = new FakeDeployHost();
        host.BrokenPaths["shop:1"] = "/ready";
        var context = await DeployedAsync(Request("r1", "shop:1", host));
        var app = new AppOptions();
        app.Environments["production"] = new EnvironmentOptions { Verify = new VerifyOptions { Enabled = false } };

        var report = await Verify(app).RunAsync(context, CancellationToken.None);

        Assert.Equal(StageOutcome.Passed, report.Outcome);
        Assert.Contains("verify.enabled is false", report.Summary, StringComparison.Ordinal);
    }

    private async Task<PipelineContext> DeployedAsync(DeployRequest request)
    {
        var outcome = await DriveAsync(Rolling().DeployAsync(request, Observer(), CancellationToken.None));
        Assert.Equal(DeployStatus.Succeeded, outcome.Status);
        return new PipelineContext(new Deployment(Guid.NewGuid(), App, "production", StrategyKind.Rolling, "test", _time.GetUtcNow()), "/tmp")
        {
            Observer = Observer(),
            Request = request,
            Outcome = outcome,
        };
    }

    private VerifyStage Verify(AppOptions? app = null)
    {
        // The deploy's own health checks use /health on the container; verify asks /ready through the router.
        if (app is null)
        {
            app = new AppOptions();
            app.Environments["production"] = new EnvironmentOptions { Verify = new VerifyOptions { Path = "/ready", Interval = "200ms" } };
        }

        return new(new RollbackService(Rolling()), Microsoft.Extensions.Options.Options.Create(app), _time);
    }

    private static DeployRequest Request(string release, string image, params FakeDeployHost[] hosts) =>
        new(new ReleaseSpec(App, release, image, "3f2a1bc"), [.. hosts.Select(h => h.Host)], 8080, Health)
        {
            Canary = new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(10), 0.05, 20, InsufficientDataAction.Extend),
            ObservationWindow = TimeSpan.FromSeconds(10),
            Drain = TimeSpan.FromSeconds(1),
        };

    private ListObserver Observer() => new(_steps);

    /// <summary>Advances the fake clock until the work completes.</summary>
    private async Task DriveAsync(Task work)
    {
        for (var i = 0; i < 10_000 && !work.IsCompleted; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        await work;
    }

    /// <summary>Advances the fake clock until the work completes.</summary>
    private async Task<T> DriveAsync<T>(Task<T> work)
    {
        for (var i = 0; i < 10_000 && !work.IsCompleted; i++)
        {
            await Task.Delay(1);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        return await work;
    }

    private sealed class ListObserver(List<string> steps) : IDeployObserver
    {
        public void Step(string host, string message) => steps.Add($"{host}: {message}");

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message) => steps.Add($"{host}: progress: {message}");
    }

    /// <summary>Strategies probe through the host; the checker's default probe must not be used.</summary>
    private sealed class UnusedProbe : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the host's probe should be used");
    }
}
