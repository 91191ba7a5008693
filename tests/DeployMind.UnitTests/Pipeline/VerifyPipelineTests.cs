using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Application.Pipeline;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;
using DeployMind.UnitTests.Configuration;
using DeployMind.UnitTests.Deploy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Pipeline;

/// <summary>
/// The real deploy and verify stages under the real orchestrator, on a fake host: the previous release keeps running until
/// verify passed, and verify compares the new release with it.
/// </summary>
public sealed class VerifyPipelineTests
{
    private const string Old = "shop:1";
    private const string New = "shop:2";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDeployHost _host = new();
    private readonly List<string> _steps = [];

    [Fact]
    public async Task RunAsync_RootAnswers500WhereThePreviousAnswered200_RollsBackAtOnceAndThePreviousNeverStopped()
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.FailingPaths[New] = "/";

        var deployment = await RunAsync(new VerifyOptions());

        Assert.Equal(DeploymentState.RolledBack, deployment.State);
        Assert.Empty(_host.Verified); // the host's ledger never names a rejected release
        Assert.Contains("http://127.0.0.1:8080/ through nginx on local: status 500, 3 times in a row; the previous release answered 200 there", deployment.Reason, StringComparison.Ordinal);
        Assert.Contains("traffic went straight back to r1, which kept running", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal(old.Address, Assert.Single(_host.Route!.Servers).Address);
        Assert.True(old.Running);
        Assert.Empty(_host.Stopped);
        Assert.DoesNotContain(_steps, s => s.Contains("starting kept release", StringComparison.Ordinal));
        Assert.DoesNotContain(_host.Containers, c => c.Spec.Image == New);

        // Three bad answers one second apart: about 2 s of the 30 s deadline.
        Assert.True(VerifyTime(deployment) < TimeSpan.FromSeconds(5), $"verify took {VerifyTime(deployment)}");
    }

    [Fact]
    public async Task RunAsync_VerifyPasses_StopsThePreviousReleaseOnlyAfterVerify()
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));

        var deployment = await RunAsync(new VerifyOptions());

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal([deployment.ReleaseId!], _host.Verified); // the host's own ledger: served and verified
        Assert.Contains(deployment.Events, e => e.Detail == "verify passed: /health answered 3/3 through nginx on local; / answered below 500 as on the previous release");
        Assert.False(old.Running);
        Assert.Equal(["shop-r1"], _host.Stopped);
        var verified = _steps.FindIndex(s => s.Contains("verified: /health, / answered 3/3", StringComparison.Ordinal));
        var stopped = _steps.FindIndex(s => s.EndsWith("stopping shop-r1", StringComparison.Ordinal));
        Assert.True(verified >= 0 && stopped > verified, string.Join(" | ", _steps));
    }

    [Fact]
    public async Task RunAsync_RootAnswers500OnThePreviousReleaseToo_IsNotCompared()
    {
        _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.FailingPaths[Old] = "/";
        _host.FailingPaths[New] = "/";

        var deployment = await RunAsync(new VerifyOptions());

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Contains(_steps, s => s.Contains("before the switch, through nginx: / answered 500, 500, 500; /health answered 200, 200, 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_CompareOff_RootAnswering500IsNotSeen()
    {
        _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.FailingPaths[New] = "/";

        var deployment = await RunAsync(new VerifyOptions { Compare = false });

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.DoesNotContain(_steps, s => s.Contains("before the switch", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_FirstDeployWhoseRootAnswers500_OnlyTheConfiguredRulesApply()
    {
        _host.FailingPaths[New] = "/";

        var deployment = await RunAsync(new VerifyOptions());

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal(New, _host.Running(New).Spec.Image);
    }

    [Fact]
    public async Task RunAsync_FirstDeployThatFailsVerify_StaysInPlace_ButIsNotInTheHostsLedger()
    {
        _host.FailingPaths[New] = "/ready";

        var deployment = await RunAsync(new VerifyOptions { Path = "/ready" });

        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Contains("the new release stays in place", deployment.Reason, StringComparison.Ordinal);
        Assert.Empty(_host.Verified);
    }

    [Fact]
    public async Task RunAsync_VerifyOverThePipelineDeadline_PutsTrafficBackOnThePreviousReleaseStillRunning()
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.BrokenPaths[New] = "/ready";

        var deployment = await RunAsync(new VerifyOptions { Path = "/ready", Failures = 0, Deadline = "10m" }, new PipelineOptions { VerifyDeadline = "20s" });

        Assert.Equal((DeploymentState.Failed, PipelineStage.Verify), (deployment.State, deployment.FailedStage!.Value));
        Assert.EndsWith("did not finish within its deadline of 20s (pipeline.verifyDeadline); traffic is back on r1, which kept running", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal(old.Address, Assert.Single(_host.Route!.Servers).Address);
        Assert.Empty(_host.Stopped);
        Assert.DoesNotContain(_host.Containers, c => c.Spec.Image == New);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringVerify_PutsTrafficBackOnThePreviousRelease()
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.BrokenPaths[New] = "/ready";

        var deployment = await RunAsync(new VerifyOptions { Path = "/ready", Failures = 0 }, cancelAtStep: "verify: /ready");

        Assert.Equal(DeploymentState.Cancelled, deployment.State);
        Assert.Equal("cancelled during Verify; traffic is back on r1, which kept running", deployment.Reason);
        Assert.Equal(old.Address, Assert.Single(_host.Route!.Servers).Address);
        Assert.True(old.Running);
        Assert.DoesNotContain(_host.Containers, c => c.Spec.Image == New);
    }

    private static TimeSpan VerifyTime(Deployment deployment) =>
        deployment.Events[^1].At - deployment.Events.Single(e => e.IsTransition && e.To == DeploymentState.Verifying).At;

    /// <summary>Runs deploy and verify, driving the fake clock; <paramref name="cancelAtStep"/>: cancels the run when a step says so.</summary>
    private async Task<Deployment> RunAsync(VerifyOptions verify, PipelineOptions? pipeline = null, string? cancelAtStep = null)
    {
        using var cancel = new CancellationTokenSource();
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions
        {
            HealthCheck = new HealthCheckOptions { Interval = "1s", Deadline = "10s" },
            Target = new TargetOptions { Docker = new DockerTargetOptions { Drain = "1s" } },
            Verify = verify,
        };
        var options = Options.Create(app);
        var launcher = new ReleaseLauncher(new HealthChecker(new UnusedProbe(), _time), _time);
        var rolling = new RollingStrategy(launcher, _time);
        var rollback = new RollbackService(rolling);
        var deploys = new DeployService(new OneHost(_host.Host), [new DockerHostsTarget([rolling], rollback), new KubernetesTarget(new KubernetesDeployer(new NoClusters(), new NoPublisher(), _time))], options, _time);
        var orchestrator = new PipelineOrchestrator(
            [NewDeployStage(deploys, options), new VerifyStage(rollback, options, _time)], Options.Create(pipeline ?? new PipelineOptions()), _time, new FakeConfigurationLocator());
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", _time.GetUtcNow()), "/apps/shop")
        {
            Command = new DeployCommand("/apps/shop"),
            Plan = new BuildPlan("/apps/shop", null, "FROM scratch", false, null, [], New),
            Build = new BuildResult(true, New, "sha256:2", 10, 3, TimeSpan.FromSeconds(5), 0, [], [], null, null),
            Observer = new ListObserver(_steps, step =>
            {
                if (cancelAtStep is not null && step.Contains(cancelAtStep, StringComparison.Ordinal))
                {
                    cancel.Cancel();
                }
            }),
        };

        // One driver of the clock, also after a cancel: putting traffic back waits for the drain.
        var run = orchestrator.RunAsync(context, null, cancel.Token);
        for (var i = 0; i < 10_000 && !run.IsCompleted; i++)
        {
            await Task.Delay(1, CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        return await run;
    }

    private sealed class OneHost(DeployHost host) : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => host;
    }

    private sealed class NoClusters : IKubernetesClusterFactory
    {
        public IKubernetesCluster Connect(KubernetesSettings settings) =>
            throw new InvalidOperationException("no cluster is used here");
    }

    private sealed class NoPublisher : IImagePublisher
    {
        public Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is pushed here");
    }

    private sealed class ListObserver(List<string> steps, Action<string> seen) : IDeployObserver
    {
        public void Step(string host, string message)
        {
            steps.Add($"{host}: {message}");
            seen(message);
        }

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
        }
    }

    /// <summary>Strategies probe through the host; the checker's default probe must not be used.</summary>
    private sealed class UnusedProbe : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the host's probe should be used");
    }

    private DeployStage NewDeployStage(DeployService deploys, IOptions<AppOptions> options)
    {
        var secrets = new DeployMind.Application.Deploy.Secrets.SecretResolver([], new DeployMind.Application.Security.SecretValues());
        var accessories = new DeployMind.Application.Deploy.Accessories(deploys, secrets, options, _time);
        return new DeployStage(deploys, options, new ReleaseVariables(options, secrets, accessories, deploys), accessories);
    }
}
