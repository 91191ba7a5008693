using System.Text.Json;
using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Application.Deploy.Secrets;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using DeployMind.UnitTests.Configuration;
using DeployMind.UnitTests.Deploy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Pipeline;

/// <summary>
/// The four real stages under the real orchestrator, on fake scanners, builder and host: each returns its typed report,
/// the advisors receive it with its figures, and a halt after deploy or verify puts the previous release back.
/// </summary>
public sealed class StageReportTests : IDisposable
{
    private const string Old = "shop:1";
    private const string New = "shop:2";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeDeployHost _host = new();
    private readonly DirectoryInfo _app = Directory.CreateTempSubdirectory("deploymind-reports-");

    public StageReportTests()
    {
        File.WriteAllText(Path.Combine(_app.FullName, "Dockerfile"), "FROM node:22-slim\nCMD [\"node\", \"server.js\"]\n");
    }

    public void Dispose() => _app.Delete(recursive: true);

    [Fact]
    public async Task RunAsync_EveryStage_ItsTypedReportReachesTheAdvisorWithItsFigures()
    {
        _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        var advisor = new RecordingAdvisor();

        var (deployment, context) = await RunAsync(advisor);

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal([PipelineStage.Scan, PipelineStage.Build, PipelineStage.Deploy, PipelineStage.Verify], advisor.Seen.Select(s => s.Stage));
        Assert.Equal([1, 2, 3, 4], advisor.Seen.Select(s => s.ReportsSoFar));

        var scan = Assert.IsType<ScanStageReport>(advisor.Seen[0].Report);
        Assert.Equal(2, scan.Findings.Count);
        Assert.Equal("DMS001", Assert.Single(scan.Blocking).RuleId);
        Assert.Equal("DMS001", Assert.Single(scan.Secrets).RuleId);
        Assert.Equal("DMC001", Assert.Single(scan.RiskySettings).RuleId);
        Assert.Equal(Severity.High, scan.BlockAt);
        Assert.True(scan.FindingsAllowed);
        Assert.Equal(12, scan.FilesScanned);
        Assert.Equal((StageOutcome.Passed, "1 blocking finding(s) allowed for this run by --allow-findings: DMS001 at config/app.env:3"), (scan.Outcome, scan.Summary));

        var build = Assert.IsType<BuildStageReport>(advisor.Seen[1].Report);
        Assert.Equal(("express", 3000), (build.Detection!.Framework, build.Detection.Port));
        Assert.False(build.DockerfileGenerated);
        Assert.Equal("DM001", Assert.Single(build.Lint).RuleId);
        Assert.Equal((true, New, 42.4, 7, 3), (build.Built, build.ImageTag, build.SizeMb, build.Layers, build.CacheHits));
        Assert.Equal(BuildStageReport.LogTailLines, build.LogTail.Count);
        Assert.Equal("step 60", build.LogTail[^1]);
        Assert.Equal("CVE-2024-2511", Assert.Single(build.ImageScan!.Findings).RuleId);
        Assert.Equal(Severity.Critical, build.ImageBlockAt);
        Assert.Empty(build.ImageBlocking);
        Assert.Equal(BuildKit, build.Builder);
        Assert.Equal($"built {New} (42 MB, 7 layers, 3 cached steps) in 12s with {BuildKit}; trivy 0.50.1: 1 high", build.Summary);

        var deploy = Assert.IsType<DeployStageReport>(advisor.Seen[2].Report);
        Assert.Equal((StrategyKind.Rolling, deployment.ReleaseId, New, DeployStatus.Succeeded), (deploy.Strategy, deploy.ReleaseId, deploy.Image, deploy.Status));
        Assert.Equal(["local"], deploy.Hosts);
        Assert.Null(deploy.Cluster);
        Assert.Equal(["local"], deploy.HostsSwitched);
        Assert.True(deploy.Health!.Healthy);
        Assert.Equal(["r1"], deploy.PreviousReleases);
        Assert.True(deploy.SwitchPending);
        Assert.Equal($"{deployment.ReleaseId} serves all traffic on local", deploy.Summary);

        var verify = Assert.IsType<VerifyStageReport>(advisor.Seen[3].Report);
        Assert.Equal(("/health", 3, StrategyKind.Rolling), (verify.Path, verify.Successes, verify.Strategy));
        Assert.Equal(["/"], verify.Compared);
        var host = Assert.Single(verify.Hosts);
        Assert.Equal("local", host.Host);
        Assert.Null(host.Problem);
        Assert.Equal([("/health", 3, "200"), ("/", 3, "200")], host.Paths.Select(p => (p.Path, p.Passed, p.Previous)));
        Assert.Null(verify.Rollback);
        Assert.True(verify.Health!.Healthy);
        Assert.Equal("/health answered 3/3 through nginx on local; / answered below 500 as on the previous release", verify.Summary);

        // The timeline shows the same lines as before, rendered from the reports; the front doors read the reports from the context.
        Assert.Equal(
            advisor.Seen.Select(s => $"{s.Stage.ToString().ToLowerInvariant()} passed: {s.Report.Summary}"),
            deployment.Events.Where(e => !e.IsTransition).Select(e => e.Detail));
        Assert.Same(scan, context.Report<ScanStageReport>());
        Assert.Same(verify, context.Reports[PipelineStage.Verify]);

        // Reports serialize as their base type with every figure (what an agent's prompt or a cache key is built from).
        var json = JsonSerializer.Serialize(context.Reports.Values, Json);
        Assert.Contains("\"kind\":\"scan\"", json, StringComparison.Ordinal);
        Assert.Contains("\"cacheHits\":3", json, StringComparison.Ordinal);
        Assert.Contains("\"previousReleases\":[\"r1\"]", json, StringComparison.Ordinal);
        Assert.Contains("\"compared\":[\"/\"]", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(PipelineStage.Deploy)]
    [InlineData(PipelineStage.Verify)]
    public async Task RunAsync_AdvisorHaltsAfterDeployOrVerify_RevertsToThePreviousReleaseStillRunning(PipelineStage at)
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        var advisor = new RecordingAdvisor(stage => stage == at ? AdvisorVerdict.Halt("p95 latency doubled against r1") : AdvisorVerdict.None);

        var (deployment, _) = await RunAsync(advisor);

        Assert.Equal((DeploymentState.Failed, at), (deployment.State, deployment.FailedStage!.Value));
        Assert.Equal(
            $"the advisor deploy-advisor halted the deployment after {at.ToString().ToLowerInvariant()}: p95 latency doubled against r1; traffic is back on r1, which kept running",
            deployment.Reason);
        Assert.Equal(old.Address, Assert.Single(_host.Route!.Servers).Address);
        Assert.True(old.Running);
        Assert.Empty(_host.Stopped);
        Assert.Empty(_host.Verified); // the host's ledger never names a halted release
        Assert.DoesNotContain(_host.Containers, c => c.Spec.Image == New);
        Assert.Equal(at == PipelineStage.Deploy ? 3 : 4, advisor.Seen.Count);
    }

    [Fact]
    public async Task RunAsync_VerifyFails_ItsReportSaysWhereWithTheFiguresAndTheRevert()
    {
        _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        _host.FailingPaths[New] = "/";
        var advisor = new RecordingAdvisor();

        var (deployment, _) = await RunAsync(advisor);

        Assert.Equal(DeploymentState.RolledBack, deployment.State);
        var verify = Assert.IsType<VerifyStageReport>(advisor.Seen[^1].Report);
        Assert.Equal(StageOutcome.RolledBack, verify.Outcome);
        Assert.Equal(VerifyRollbackKind.Reverted, verify.Rollback!.Kind);
        Assert.Equal(["r1"], verify.Rollback.To);
        Assert.Equal("http://127.0.0.1:8080/ through nginx on local: status 500, 3 times in a row; the previous release answered 200 there", verify.Problem);
        var root = Assert.Single(Assert.Single(verify.Hosts).Paths, p => p.Path == "/");
        Assert.Equal((0, 3, "status 500", "200"), (root.Passed, root.FailedInARow, root.Last, root.Previous));
        Assert.Equal(verify.Summary, deployment.Reason);
    }

    [Fact]
    public async Task RunAsync_BlockingFindingWithoutAllowFindings_ScanReportHaltsWithTheSameLineAsBefore()
    {
        var advisor = new RecordingAdvisor();

        var (deployment, _) = await RunAsync(advisor, allowFindings: false);

        var scan = Assert.IsType<ScanStageReport>(Assert.Single(advisor.Seen).Report);
        Assert.Equal(StageOutcome.Halted, scan.Outcome);
        Assert.False(scan.FindingsAllowed);
        Assert.StartsWith("1 blocking finding(s) (severity high or higher): DMS001 AWS access key at config/app.env:3.", scan.Summary, StringComparison.Ordinal);
        Assert.Equal((PipelineStage.Scan, scan.Summary), (deployment.FailedStage!.Value, deployment.Reason));
    }

    [Fact]
    public async Task RunAsync_FailedBuild_ReportCarriesTheFailingStepAndTheLogTail()
    {
        var advisor = new RecordingAdvisor();

        var (deployment, _) = await RunAsync(advisor, build: Built() with { Success = false, Error = "step RUN npm ci failed: exit 1", FailedStep = "RUN npm ci" });

        var build = Assert.IsType<BuildStageReport>(advisor.Seen[^1].Report);
        Assert.Equal((StageOutcome.Halted, "RUN npm ci", $"step RUN npm ci failed: exit 1\n(builder: {BuildKit})"), (build.Outcome, build.FailedStep, build.Summary));
        Assert.Null(build.ImageScan);
        Assert.Equal("step 60", build.LogTail[^1]);
        Assert.Equal((PipelineStage.Build, build.Summary), (deployment.FailedStage!.Value, deployment.Reason));
    }

    [Fact]
    public async Task DeployStage_RevertAsyncAfterADeployThatRetiredThePreviousAtOnce_StartsThePreviousReleaseAgain()
    {
        // What a halt after deploy does when there is no pending switch to revert (as on Kubernetes, or a deploy that retired at once).
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        var (deploys, options) = Deploys();
        var command = new DeployCommand(_app.FullName);
        var outcome = await DriveAsync(deploys.DeployImageAsync(deploys.CreateRequest(command, _app.FullName, New), StrategyKind.Rolling, NullDeployObserver.Instance, CancellationToken.None));
        Assert.False(old.Running);
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", _time.GetUtcNow()), _app.FullName)
        {
            Command = command,
            Outcome = outcome,
        };

        var back = await DriveAsync(NewDeployStage(deploys, options, new SecretResolver([], new SecretValues())).RevertAsync(context, CancellationToken.None));

        Assert.Equal("; rolled back to r1", back);
        Assert.Equal(_host.Running(Old).Address, Assert.Single(_host.Route!.Servers).Address);
    }

    [Fact]
    public async Task RunAsync_SecretInNoSource_DeployStageFailsNamingItAndNoHostChanges()
    {
        var old = _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));
        var route = _host.Route;

        var (deployment, _) = await RunAsync(new RecordingAdvisor(), env: new EnvOptions { Secret = ["STRIPE_KEY"] }, lookups: new Secrets(null));

        Assert.Equal(DeploymentState.Failed, deployment.State);
        Assert.Contains("STRIPE_KEY: looked in the deploying process's environment ($STRIPE_KEY)", deployment.Reason, StringComparison.Ordinal);
        Assert.Equal([old], _host.Containers);
        Assert.True(old.Running);
        Assert.Equal(route, _host.Route);
    }

    [Fact]
    public async Task RunAsync_ClearAndSecretEnv_TheNewContainerGetsBoth()
    {
        _host.Seed("shop", "r1", Old, _time.GetUtcNow().AddHours(-1));

        var (deployment, _) = await RunAsync(
            new RecordingAdvisor(), env: new EnvOptions { Clear = new() { ["MODE"] = "live" }, Secret = ["STRIPE_KEY"] }, lookups: new Secrets("sk-value-1234"));

        Assert.Equal(DeploymentState.Succeeded, deployment.State);
        Assert.Equal(new Dictionary<string, string> { ["MODE"] = "live", ["STRIPE_KEY"] = "sk-value-1234" }, _host.Running(New).Spec.Environment);
    }

    private sealed class Secrets(string? value) : ISecretLookup
    {
        public bool Reads(SecretSourceKind kind) => true;

        public Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken) =>
            Task.FromResult(new SecretLookupResult(value is null ? new Dictionary<string, string>() : names.ToDictionary(n => n, _ => value)));
    }

    private static BuildResult Built() => new(
        true, New, "sha256:2", 42.4, 7, TimeSpan.FromSeconds(12), 3, [], [.. Enumerable.Range(1, 60).Select(i => $"step {i}")], null, null)
    {
        Builder = BuildKit,
    };

    private const string BuildKit = "BuildKit (the engine's built-in, DOCKER_BUILDKIT=1)";

    /// <summary>Runs the four stages, driving the fake clock.</summary>
    private async Task<(Deployment Deployment, PipelineContext Context)> RunAsync(
        IPipelineAdvisor advisor, bool allowFindings = true, BuildResult? build = null, EnvOptions? env = null, params ISecretLookup[] lookups)
    {
        var (deploys, options) = Deploys();
        options.Value.Env = env ?? new EnvOptions();
        var secrets = new SecretResolver(lookups, new SecretValues());
        var scans = new ScanService(
            new FixedSecrets(new SecurityFinding("DMS001", "AWS access key", Severity.Critical, "config/app.env", 3, 19, "AWS_ACCESS_KEY_ID=AKIA…[REDACTED]")),
            new FixedRiskySettings(new SecurityFinding("DMC001", "Compose service runs privileged", Severity.Medium, "compose.yaml", 4, 5, "privileged: true") { Kind = SecurityFindingKind.RiskyConfiguration }));
        var builds = new BuildService(
            new FixedDetector(),
            new UnusedGenerator(),
            new FixedLinter(),
            new FixedBuilder(build ?? Built()),
            Options.Create(new BuildOptions()));
        var images = new FixedImageScanner(new ImageScanReport(
            "trivy 0.50.1", false, null, [new SecurityFinding("CVE-2024-2511", "openssl: unbounded memory growth", Severity.High, "debian 12", 0, 0, "libssl3 3.0.11-1") { Kind = SecurityFindingKind.Vulnerability }], TimeSpan.FromSeconds(2)));
        var rollback = new RollbackService(new RollingStrategy(new ReleaseLauncher(new HealthChecker(new UnusedProbe(), _time), _time), _time));
        var orchestrator = new PipelineOrchestrator(
            [new ScanStage(scans, options), new BuildStage(builds, images, options), NewDeployStage(deploys, options, secrets), new VerifyStage(rollback, options, _time)],
            [advisor],
            new PassThrough(),
            Options.Create(new PipelineOptions()),
            _time,
            new FakeConfigurationLocator());
        var context = new PipelineContext(new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", _time.GetUtcNow()), _app.FullName)
        {
            Command = new DeployCommand(_app.FullName) { Tag = New, AllowFindings = allowFindings },
        };

        return (await DriveAsync(orchestrator.RunAsync(context, null, CancellationToken.None)), context);
    }

    private (DeployService Deploys, IOptions<AppOptions> Options) Deploys()
    {
        var app = new AppOptions { App = "shop" };
        app.Environments["production"] = new EnvironmentOptions
        {
            HealthCheck = new HealthCheckOptions { Interval = "1s", Deadline = "10s" },
            Target = new TargetOptions { Docker = new DockerTargetOptions { Drain = "1s" } },
        };
        var options = Options.Create(app);
        var rolling = new RollingStrategy(new ReleaseLauncher(new HealthChecker(new UnusedProbe(), _time), _time), _time);
        return (new DeployService(new OneHost(_host.Host), [new DockerHostsTarget([rolling], new RollbackService(rolling)), new KubernetesTarget(new KubernetesDeployer(new NoClusters(), new NoPublisher(), _time))], options, _time), options);
    }

    /// <summary>Awaits <paramref name="run"/>, driving the fake clock (health checks, drains, verify intervals).</summary>
    private async Task<T> DriveAsync<T>(Task<T> run)
    {
        for (var i = 0; i < 10_000 && !run.IsCompleted; i++)
        {
            await Task.Delay(1, CancellationToken.None);
            _time.Advance(TimeSpan.FromMilliseconds(500));
        }

        return await run;
    }

    private sealed class RecordingAdvisor(Func<PipelineStage, AdvisorVerdict>? answer = null) : IPipelineAdvisor
    {
        public List<(PipelineStage Stage, StageReport Report, int ReportsSoFar)> Seen { get; } = [];

        public string Name => "deploy-advisor";

        public Task<AdvisorVerdict> AdviseAsync(PipelineStage stage, StageReport report, PipelineContext context, CancellationToken cancellationToken)
        {
            Seen.Add((stage, report, context.Reports.Count));
            return Task.FromResult(answer?.Invoke(stage) ?? AdvisorVerdict.None);
        }
    }

    private sealed class PassThrough : ITextRedactor
    {
        public string Redact(string text) => text;
    }

    private sealed class FixedSecrets(params SecurityFinding[] findings) : ISecretScanner
    {
        public Task<SecretScanReport> ScanAsync(string root, CancellationToken ct) =>
            Task.FromResult(new SecretScanReport(findings, 12, [], 4096, TimeSpan.FromMilliseconds(40)));
    }

    private sealed class FixedRiskySettings(params SecurityFinding[] findings) : IRiskyConfigScanner
    {
        public Task<SecretScanReport> ScanAsync(string root, CancellationToken ct) =>
            Task.FromResult(new SecretScanReport(findings, 2, [], 512, TimeSpan.FromMilliseconds(5)));
    }

    private sealed class FixedDetector : ILanguageDetector
    {
        public Task<DetectionResult> DetectAsync(string appPath, CancellationToken cancellationToken) => Task.FromResult(
            new DetectionResult(appPath, Language.Node, "express", "server.js", "node server.js", 3000, "npm", "package-lock.json", true, false, ["package.json: express"], 1.0));
    }

    private sealed class UnusedGenerator : IDockerfileGenerator
    {
        public GeneratedDockerfile Generate(DetectionResult detection, bool cacheMounts = false) => throw new InvalidOperationException("the app has its own Dockerfile");
    }

    private sealed class FixedLinter : IDockerfileLinter
    {
        public IReadOnlyList<LintFinding> Lint(string dockerfile, LintContext? context = null) =>
            [new LintFinding("DM001", Severity.Low, LintCategory.Reproducibility, 1, "FROM node:22-slim is not pinned by digest", "Pin the base image by digest.")];
    }

    private sealed class FixedBuilder(BuildResult result) : IImageBuilder
    {
        public Task<BuildResult> BuildAsync(ImageBuildRequest request, IProgress<BuildProgress>? progress, CancellationToken cancellationToken) => Task.FromResult(result);

        public Task<ImageBuilderInfo> ProbeAsync(CancellationToken cancellationToken) => Task.FromResult(ImageBuilderInfo.Classic("test"));
    }

    private sealed class FixedImageScanner(ImageScanReport report) : IImageScanner
    {
        public Task<ImageScanReport> ScanAsync(string image, CancellationToken cancellationToken) => Task.FromResult(report);
    }

    private sealed class OneHost(DeployHost host) : IDeployHostFactory
    {
        public DeployHost Create(HostOptions options) => host;
    }

    private sealed class NoClusters : IKubernetesClusterFactory
    {
        public IKubernetesCluster Connect(KubernetesSettings settings) => throw new InvalidOperationException("no cluster is used here");
    }

    private sealed class NoPublisher : IImagePublisher
    {
        public Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is pushed here");
    }

    /// <summary>Strategies probe through the host; the checker's default probe must not be used.</summary>
    private sealed class UnusedProbe : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, timeout, cancellationToken);

        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the host's probe should be used");
    }

    private DeployStage NewDeployStage(DeployService deploys, IOptions<AppOptions> options, SecretResolver secrets)
    {
        var accessories = new DeployMind.Application.Deploy.Accessories(deploys, secrets, options, _time);
        return new DeployStage(deploys, options, new ReleaseVariables(options, secrets, accessories, deploys), accessories);
    }
}
