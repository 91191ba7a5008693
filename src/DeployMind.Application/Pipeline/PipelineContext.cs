using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Pipeline;

/// <summary>What the stages share while one deployment runs.</summary>
public sealed class PipelineContext
{
    public PipelineContext(Deployment deployment, string workspace)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        ArgumentException.ThrowIfNullOrWhiteSpace(workspace);
        Deployment = deployment;
        Workspace = workspace;
    }

    public Deployment Deployment { get; }

    /// <summary>The app folder the stages work on (a checkout or a local folder).</summary>
    public string Workspace { get; }

    /// <summary>What was asked (environment, strategy, hosts, port, tag); null for pipelines that only build.</summary>
    public DeployCommand? Command { get; init; }

    /// <summary>Receives the deploy's steps and health checks, for a live view.</summary>
    public IDeployObserver Observer { get; init; } = NullDeployObserver.Instance;

    /// <summary>
    /// When the run is cancelled: a reason to hand the deployment back to the queue (its worker lost its lease or a lock)
    /// instead of ending it cancelled; null for a real cancellation.
    /// </summary>
    public Func<string?>? HandOverReason { get; init; }

    /// <summary>Receives build output lines, for a live view.</summary>
    public IProgress<BuildProgress>? BuildProgress { get; init; }

    /// <summary>Set by the scan stage.</summary>
    public ScanResult? Scan { get; set; }

    /// <summary>Set by the build stage.</summary>
    public BuildPlan? Plan { get; set; }

    /// <summary>Set by the build stage.</summary>
    public BuildResult? Build { get; set; }

    /// <summary>Set by the build stage: the built image's scan (skipped when no scanner is installed).</summary>
    public ImageScanReport? ImageScan { get; set; }

    /// <summary>Set by the build stage: the image findings the environment's policy blocks on.</summary>
    public IReadOnlyList<Domain.Findings.SecurityFinding> ImageBlocking { get; set; } = [];

    /// <summary>Set by the deploy stage.</summary>
    public DeployRequest? Request { get; set; }

    /// <summary>
    /// Set by the deploy stage. On Docker hosts its <see cref="DeployOutcome.Switch"/> is pending until the pipeline ends: the
    /// previous release keeps running until verify passed, then it is retired; any other end puts traffic back on it.
    /// </summary>
    public DeployOutcome? Outcome { get; set; }

    /// <summary>Set by the deploy stage before the switch: how the previous release answered through nginx, for the verify stage.</summary>
    public ReleaseBaseline Baseline { get; set; } = ReleaseBaseline.None;

    /// <summary>
    /// Every stage's report so far, in stage order (set by the orchestrator as each stage ends): the later stages, the
    /// front doors and the advisors read the figures here (<see cref="Report{T}"/> for a typed one).
    /// </summary>
    public IReadOnlyDictionary<PipelineStage, StageReport> Reports => _reports;

    /// <summary>What the advisors answered after each stage, in order (redacted as recorded).</summary>
    public IReadOnlyList<StageAdvice> Advice => _advice;

    private readonly SortedDictionary<PipelineStage, StageReport> _reports = [];
    private readonly List<StageAdvice> _advice = [];

    /// <summary>The report of type <typeparamref name="T"/> (e.g. <see cref="ScanStageReport"/>), or null when no stage has returned one yet.</summary>
    public T? Report<T>()
        where T : StageReport => _reports.Values.OfType<T>().LastOrDefault();

    internal void Add(PipelineStage stage, StageReport report) => _reports[stage] = report;

    internal void Add(StageAdvice advice) => _advice.Add(advice);
}
