using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using Microsoft.Extensions.Logging;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// Runs a deployment's pipeline and records all of it as it happens: the deployment and every state change, the log
/// (stage reports, build output, deploy steps, health checks) and the findings. What the CLI and the worker call.
/// Recording never changes the outcome: a store that fails is logged and the deployment goes on. Every state change is
/// also reported (<see cref="IDeploymentReporter"/>: commit statuses, the pull request's comment), in the background.
/// </summary>
internal sealed class DeploymentRunner
{
    private readonly PipelineOrchestrator _orchestrator;
    private readonly IDeploymentStore _store;
    private readonly IDeploymentReporter _reporter;
    private readonly TimeProvider _time;
    private readonly ILogger<DeploymentRunner> _logger;

    private readonly Security.SecretValues? _secrets;

    public DeploymentRunner(
        PipelineOrchestrator orchestrator, IDeploymentStore store, IDeploymentReporter reporter, TimeProvider time, ILogger<DeploymentRunner> logger, Security.SecretValues? secrets = null)
    {
        _orchestrator = orchestrator;
        _store = store;
        _reporter = reporter;
        _time = time;
        _logger = logger;
        _secrets = secrets;
    }

    /// <summary>What the run is given: the deployment, its workspace and command, and optional live views.</summary>
    public sealed record Run(Deployment Deployment, string Workspace)
    {
        public DeployCommand? Command { get; init; }

        public IDeployObserver? DeployObserver { get; init; }

        public IProgress<BuildProgress>? BuildProgress { get; init; }

        public IPipelineObserver? PipelineObserver { get; init; }

        /// <summary>The deployment is in the store already (a queued job's): it is not added again.</summary>
        public bool AlreadyRecorded { get; init; }

        /// <summary>
        /// The run's fence on its locks, asked before each change is recorded: once it refuses, nothing more of this run is
        /// recorded or reported (a newer holder of a target owns the deployment now).
        /// </summary>
        public LockFence? Fence { get; init; }

        /// <summary>See <see cref="PipelineContext.HandOverReason"/>.</summary>
        public Func<string?>? HandOverReason { get; init; }
    }

    /// <summary>Records the deployment (queued), runs the pipeline and records every change; returns the finished context.</summary>
    /// <exception cref="Domain.DeployMindException">The store cannot be opened (nothing has run).</exception>
    public async Task<PipelineContext> RunAsync(Run run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var deployment = run.Deployment;

        // The store must work before anything runs: a deployment nobody can find afterwards is worse than none.
        if (!run.AlreadyRecorded)
        {
            await _store.AddAsync(deployment, cancellationToken);
        }

        // A rollback (by itself, after a failed verify) goes back to the last release the records say succeeded.
        var command = run.Command is { } given
            ? given with { History = await ReleaseHistoryReader.ReadAsync(_store, deployment.App, deployment.Environment, cancellationToken) }
            : null;
        await using var log = new DeploymentLog(_store, deployment.Id, _time, _logger, _secrets);
        var context = new PipelineContext(deployment, run.Workspace)
        {
            Command = command,
            Observer = log.Observe(run.DeployObserver),
            BuildProgress = log.Observe(run.BuildProgress),
            HandOverReason = run.HandOverReason,
        };
        var recorder = new Recorder(this, context, log, run.Fence, run.PipelineObserver);
        await _orchestrator.RunAsync(context, recorder, cancellationToken);
        await log.FlushAsync(CancellationToken.None);
        return context;
    }

    /// <summary>Saves the deployment; a failure is logged once per run and does not stop the deployment.</summary>
    private async Task<bool> TrySaveAsync(Deployment deployment)
    {
        try
        {
            await _store.SaveAsync(deployment, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Deployment {Id} could not be recorded in {Store}; it goes on.", deployment.Id, _store.Description);
            return false;
        }
    }

    private async Task TrySaveFindingsAsync(Guid id, string source, IEnumerable<RecordedFinding> findings)
    {
        try
        {
            await _store.SaveFindingsAsync(id, source, [.. findings], CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "The findings of deployment {Id} could not be recorded in {Store}.", id, _store.Description);
        }
    }

    private async Task TrySaveExplanationsAsync(Guid id, IReadOnlyList<RecordedExplanation> explanations)
    {
        try
        {
            await _store.SaveExplanationsAsync(id, explanations, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "The explanations of deployment {Id} could not be recorded in {Store}.", id, _store.Description);
        }
    }

    private async Task TrySaveCanaryStepsAsync(Guid id, IReadOnlyList<RecordedCanaryStep> steps)
    {
        try
        {
            await _store.SaveCanaryStepsAsync(id, steps, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "The canary steps of deployment {Id} could not be recorded in {Store}.", id, _store.Description);
        }
    }

    /// <summary>The stage agents' explanations so far, as recorded (already redacted by the orchestrator).</summary>
    internal static IReadOnlyList<RecordedExplanation> Explanations(PipelineContext context) =>
        [.. context.Advice.Where(a => a.Verdict.Explanation is not null).Select(a => new RecordedExplanation(
            a.Stage.ToString().ToLowerInvariant(), a.Advisor, a.Verdict.Explanation!.Text, a.Verdict.Explanation.Recommendations, a.Verdict.Explanation.Verdict, a.Verdict.Explanation.Model))];

    internal static RecordedFinding Record(string source, SecurityFinding finding, bool blocking) =>
        new(source, finding.RuleId, finding.Title, finding.Severity, finding.Kind, finding.File, finding.Line, finding.Column, finding.RedactedExcerpt, blocking);

    /// <summary>On every change: the log line, the findings once the scan has them, then the deployment itself.</summary>
    private sealed class Recorder(DeploymentRunner runner, PipelineContext context, DeploymentLog log, LockFence? fence, IPipelineObserver? next) : IPipelineObserver
    {
        private bool _scanRecorded;
        private bool _imageScanRecorded;
        private int _explanationsRecorded;
        private int _canaryStepsRecorded;

        public async Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            if (fence is not null && !await fence.AllowsAsync(deployment, cancellationToken))
            {
                return;
            }

            var last = deployment.Events[^1];
            log.Write("pipeline", last.IsTransition ? $"{last.To.Name()}: {last.Detail}" : last.Detail);
            if (!_scanRecorded && context.Scan is { } scan)
            {
                _scanRecorded = true;
                var blocking = scan.Blocking.ToHashSet();
                await runner.TrySaveFindingsAsync(deployment.Id, "repository", scan.Report.Findings.Select(f => Record("repository", f, blocking.Contains(f))));
            }

            if (!_imageScanRecorded && context.ImageScan is { Skipped: false } image)
            {
                _imageScanRecorded = true;
                var blocking = context.ImageBlocking.ToHashSet();
                await runner.TrySaveFindingsAsync(deployment.Id, "image", image.Findings.Select(f => Record("image", f, blocking.Contains(f))));
            }

            if (context.Advice.Count(a => a.Verdict.Explanation is not null) is var explained && explained > _explanationsRecorded)
            {
                _explanationsRecorded = explained;
                await runner.TrySaveExplanationsAsync(deployment.Id, Explanations(context));
            }

            if (context.Outcome is { CanarySteps.Count: > 0 } outcome && outcome.CanarySteps.Count > _canaryStepsRecorded && context.Request is { } request)
            {
                _canaryStepsRecorded = outcome.CanarySteps.Count;
                await runner.TrySaveCanaryStepsAsync(deployment.Id, [.. outcome.CanarySteps.Select(s => RecordedCanaryStep.Of(s, request.Canary))]);
            }

            await log.FlushAsync(CancellationToken.None);
            await runner.TrySaveAsync(deployment);
            if (last.IsTransition)
            {
                runner._reporter.Report(DeploymentReport.Of(deployment, runner._time.GetUtcNow()) with { Explanations = Explanations(context) });
            }

            if (next is not null)
            {
                await next.ChangedAsync(deployment, cancellationToken);
            }
        }
    }
}
