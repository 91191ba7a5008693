using DeployMind.Application.Agents;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Build;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Ai;
using DeployMind.Infrastructure.Security;
using DeployMind.UnitTests.Configuration;

namespace DeployMind.UnitTests.Agents;

/// <summary>
/// The three stage agents on the real orchestrator, the real redaction and the real OpenAI-compatible client (against a
/// <see cref="FakeChatServer"/>, or none), with fake stages that return typed reports.
/// </summary>
internal sealed class AgentHarness
{
    public AgentHarness(AiOptions ai, string? endpoint, SecretValues? values = null, AgentAnswerCache? cache = null, AgentBudgets? budgets = null)
    {
        if (endpoint is not null)
        {
            ai.Provider = "openai-compatible";
            ai.Endpoint = endpoint;
            ai.Model ??= "llama-test";
        }

        Options = ai;
        Values = values ?? new SecretValues();
        Redactor = new SecretTextRedactor(Values);
        Model = new OpenAiAgentModel(Microsoft.Extensions.Options.Options.Create(ai), _ => null);
        Cache = cache ?? new AgentAnswerCache();
        Budgets = budgets ?? new AgentBudgets();
        var options = Microsoft.Extensions.Options.Options.Create(ai);
        Agents =
        [
            new SecurityAgent(Model, Redactor, options, Cache, Budgets, TimeProvider.System),
            new BuildAgent(Model, Redactor, options, Cache, Budgets, TimeProvider.System),
            new DeployAgent(Model, Redactor, options, Cache, Budgets, TimeProvider.System),
        ];
    }

    public AiOptions Options { get; }

    public SecretValues Values { get; }

    public ITextRedactor Redactor { get; }

    public OpenAiAgentModel Model { get; }

    public AgentAnswerCache Cache { get; }

    public AgentBudgets Budgets { get; }

    public IReadOnlyList<IPipelineAdvisor> Agents { get; }

    /// <summary>Every stage that ran, in order.</summary>
    public List<PipelineStage> Ran { get; } = [];

    /// <summary>Runs scan, build, deploy and verify returning <paramref name="reports"/> (a stage without one passes with a line); returns the context.</summary>
    public async Task<PipelineContext> RunAsync(
        Dictionary<PipelineStage, StageReport> reports, bool withAgents = true, Deployment? deployment = null, string workspace = "/tmp/app", Application.Deploy.DeployCommand? command = null, ReleaseBaseline? baseline = null)
    {
        var stages = Enum.GetValues<PipelineStage>().Select(stage => (IPipelineStage)new ReportingStage(stage, Ran, reports.GetValueOrDefault(stage) ?? StageReport.Passed($"{stage} ok"))).ToList();
        var orchestrator = new PipelineOrchestrator(
            stages, withAgents ? Agents : [], Redactor, Microsoft.Extensions.Options.Options.Create(new PipelineOptions { AdvisorTimeout = "30s" }), TimeProvider.System, new FakeConfigurationLocator());
        var context = new PipelineContext(deployment ?? NewDeployment(), workspace) { Command = command };
        if (baseline is not null)
        {
            context.Baseline = baseline;
        }

        if (reports.GetValueOrDefault(PipelineStage.Scan) is ScanStageReport scan)
        {
            context.Scan = scan.Scan;
        }

        await orchestrator.RunAsync(context, null, CancellationToken.None);
        return context;
    }

    public static Deployment NewDeployment(string? branch = "main") =>
        new(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "cli:test", DateTimeOffset.UtcNow) { Branch = branch, Commit = "3f2a1bc9d0e4", Repository = "acme/shop" };

    public static SecurityFinding Finding(string rule = "DMS003", string file = "config/app.env", int line = 3, string excerpt = "API_KEY=***", Severity severity = Severity.High, SecurityFindingKind kind = SecurityFindingKind.Secret, int column = 9) =>
        new(rule, "Generic API key", severity, file, line, column, excerpt) { Kind = kind };

    public static ScanStageReport Scan(IReadOnlyList<SecurityFinding> findings, Severity? blockAt = Severity.High, bool allowed = false)
    {
        var blocking = blockAt is { } at ? findings.Where(f => f.Severity >= at).ToList() : [];
        return new ScanStageReport(new ScanResult(new SecretScanReport(findings, 12, [], 4096, TimeSpan.FromMilliseconds(40)), blocking, blockAt), allowed);
    }

    public static BuildStageReport Build(bool built = true, IReadOnlyList<string>? log = null, IReadOnlyList<LintFinding>? lint = null, string? failedStep = null, string? error = null) => new()
    {
        ImageTag = "shop:3f2a1bc",
        Built = built,
        SizeMb = 142,
        Layers = 9,
        CacheHits = 4,
        Duration = TimeSpan.FromSeconds(31),
        DockerfileGenerated = true,
        LogTail = log ?? ["#1 [internal] load build definition", "#9 naming to docker.io/library/shop:3f2a1bc done"],
        Lint = lint ?? [],
        FailedStep = failedStep,
        Error = error,
    };

    public static DeployStageReport Deploy(DeployStatus status = DeployStatus.Succeeded, string? reason = null) => new()
    {
        Strategy = StrategyKind.Rolling,
        ReleaseId = "shop-3f2a1bc",
        Image = "shop:3f2a1bc",
        Hosts = ["web-1", "web-2"],
        Status = status,
        Reason = reason,
        Duration = TimeSpan.FromSeconds(12),
        Health = new HealthReport(status == DeployStatus.Succeeded, 3, 3, 4, TimeSpan.FromSeconds(6), null),
        HostsSwitched = status == DeployStatus.Succeeded ? ["web-1", "web-2"] : [],
    };

    public static VerifyStageReport Verify(string? problem = null, string host = "web-1") => new()
    {
        App = "shop",
        ReleaseId = "shop-3f2a1bc",
        Path = "/health",
        Successes = 3,
        Hosts = [new VerifyHostFigures(host, [new VerifyPathFigures("/health", true, problem is null ? 3 : 0, problem is null ? 0 : 3, problem ?? "no answer yet", null)], problem)],
        Problem = problem,
        Rollback = problem is null ? null : new VerifyRollback(VerifyRollbackKind.Reverted, ["shop-0a1b2c3"]),
    };

    /// <summary>The explanations recorded, as <c>status</c> shows them.</summary>
    public static IReadOnlyList<StageExplanation> Explanations(PipelineContext context) =>
        [.. context.Advice.Select(a => a.Verdict.Explanation).OfType<StageExplanation>()];

    private sealed class ReportingStage(PipelineStage stage, List<PipelineStage> ran, StageReport report) : IPipelineStage
    {
        public PipelineStage Stage => stage;

        public Task<StageReport> RunAsync(PipelineContext context, CancellationToken cancellationToken)
        {
            ran.Add(stage);
            return Task.FromResult(report);
        }
    }
}
