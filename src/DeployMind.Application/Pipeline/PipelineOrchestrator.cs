using DeployMind.Application.Configuration;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// Runs Scan → Build → Deploy → Verify for one deployment, each under its hard deadline, moving the deployment through
/// its states: a stage that halts fails the deployment with its stage and reason, a rolled back deploy ends in
/// <c>rolled_back</c>, cancellation ends in <c>cancelled</c>. A deployment always reaches a terminal state.
/// </summary>
public sealed class PipelineOrchestrator
{
    private static readonly (PipelineStage Stage, DeploymentState State)[] Order =
    [
        (PipelineStage.Scan, DeploymentState.Scanning),
        (PipelineStage.Build, DeploymentState.Building),
        (PipelineStage.Deploy, DeploymentState.Deploying),
        (PipelineStage.Verify, DeploymentState.Verifying),
    ];

    private readonly Dictionary<PipelineStage, IPipelineStage> _stages;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly IConfigurationLocator _locator;

    public PipelineOrchestrator(IEnumerable<IPipelineStage> stages, IOptions<PipelineOptions> options, TimeProvider time, IConfigurationLocator locator)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(options);
        _stages = stages.ToDictionary(s => s.Stage);
        _options = options.Value;
        _time = time;
        _locator = locator;
    }

    /// <summary>Runs the pipeline; returns the deployment in a terminal state (never throws for a stage's failure).</summary>
    public async Task<Deployment> RunAsync(PipelineContext context, IPipelineObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var deployment = context.Deployment;
        foreach (var (stage, state) in Order)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return await StopAsync(context, $"before {stage}", observer);
            }

            var configured = _stages.TryGetValue(stage, out var runner);
            deployment.MoveTo(state, configured ? $"{stage} started" : $"{stage}: no stage configured, passed through", _time.GetUtcNow());
            await NotifyAsync(observer, deployment);
            if (runner is null)
            {
                continue;
            }

            var deadline = _options.DeadlineOf(stage);
            using var timeout = new CancellationTokenSource(deadline, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            StageReport report;
            try
            {
                report = await runner.RunAsync(context, linked.Token);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await StopAsync(context, $"during {stage}", observer);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return await EndAsync(deployment, d => d.Fail(stage, $"{stage} did not finish within its deadline of {Duration.Format(deadline)} (pipeline.{stage.ToString().ToLowerInvariant()}Deadline)", _time.GetUtcNow()), observer);
            }
            catch (InvalidInputException ex)
            {
                // A setting the stage could not use: say where it is written.
                return await EndAsync(deployment, d => d.Fail(stage, _locator.Describe(ex.Message), _time.GetUtcNow()), observer);
            }
            catch (DeployMindException ex)
            {
                return await EndAsync(deployment, d => d.Fail(stage, ex.Message, _time.GetUtcNow()), observer);
            }

            switch (report.Outcome)
            {
                case StageOutcome.Halted:
                    return await EndAsync(deployment, d => d.Fail(stage, report.Summary, _time.GetUtcNow()), observer);
                case StageOutcome.RolledBack:
                    return await EndAsync(deployment, d => d.MoveTo(DeploymentState.RolledBack, report.Summary, _time.GetUtcNow()), observer);
                default:
                    deployment.Note($"{stage.ToString().ToLowerInvariant()} passed: {report.Summary}", _time.GetUtcNow());
                    await NotifyAsync(observer, deployment);
                    break;
            }
        }

        return await EndAsync(deployment, d => d.MoveTo(DeploymentState.Succeeded, "all stages passed", _time.GetUtcNow()), observer);
    }

    /// <summary>
    /// Stopped from outside: cancelled (Ctrl-C, API) — or, when the run was handed over (its worker lost its lease or a
    /// lock), back to queued for the next holder, which runs it again.
    /// </summary>
    private async Task<Deployment> StopAsync(PipelineContext context, string when, IPipelineObserver? observer)
    {
        var deployment = context.Deployment;
        if (context.HandOverReason?.Invoke() is not { } handOver)
        {
            return await EndAsync(deployment, d => d.MoveTo(DeploymentState.Cancelled, $"cancelled {when}; the target was left as it was", _time.GetUtcNow()), observer);
        }

        return deployment.State == DeploymentState.Queued
            ? deployment
            : await EndAsync(deployment, d => d.MoveTo(DeploymentState.Queued, $"handed back {when}: {handOver}", _time.GetUtcNow()), observer);
    }

    private static async Task<Deployment> EndAsync(Deployment deployment, Action<Deployment> end, IPipelineObserver? observer)
    {
        end(deployment);
        await NotifyAsync(observer, deployment);
        return deployment;
    }

    // Recording must not be cancelled by the run's own cancellation: a cancelled deployment is still recorded.
    private static Task NotifyAsync(IPipelineObserver? observer, Deployment deployment) =>
        observer?.ChangedAsync(deployment, CancellationToken.None) ?? Task.CompletedTask;
}
