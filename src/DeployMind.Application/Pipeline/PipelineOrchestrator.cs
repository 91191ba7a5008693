using DeployMind.Application.Configuration;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// Runs Scan → Build → Deploy → Verify for one deployment, each under its hard deadline, moving the deployment through
/// its states: a stage that halts fails the deployment with its stage and reason, a rolled back deploy ends in
/// <c>rolled_back</c>, cancellation ends in <c>cancelled</c>. A deployment always reaches a terminal state. The previous
/// release on Docker hosts keeps running through verify: it is retired only once every stage passed, and whatever else
/// ends the run (a halt, a deadline, an error, a cancel) puts traffic straight back on it.
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
                var back = await RevertAsync(context);
                return await EndAsync(deployment, d => d.Fail(stage, $"{stage} did not finish within its deadline of {Duration.Format(deadline)} (pipeline.{stage.ToString().ToLowerInvariant()}Deadline){back}", _time.GetUtcNow()), observer);
            }
            catch (InvalidInputException ex)
            {
                // A setting the stage could not use: say where it is written.
                var back = await RevertAsync(context);
                return await EndAsync(deployment, d => d.Fail(stage, _locator.Describe(ex.Message) + back, _time.GetUtcNow()), observer);
            }
            catch (DeployMindException ex)
            {
                var back = await RevertAsync(context);
                return await EndAsync(deployment, d => d.Fail(stage, ex.Message + back, _time.GetUtcNow()), observer);
            }

            switch (report.Outcome)
            {
                case StageOutcome.Halted:
                {
                    var back = await RevertAsync(context);
                    return await EndAsync(deployment, d => d.Fail(stage, report.Summary + back, _time.GetUtcNow()), observer);
                }

                case StageOutcome.RolledBack:
                {
                    var back = await RevertAsync(context);
                    return await EndAsync(deployment, d => d.MoveTo(DeploymentState.RolledBack, report.Summary + back, _time.GetUtcNow()), observer);
                }

                default:
                    deployment.Note($"{stage.ToString().ToLowerInvariant()} passed: {report.Summary}", _time.GetUtcNow());
                    await NotifyAsync(observer, deployment);
                    break;
            }
        }

        // Verified (or nothing to verify): only now does the release that served before stop.
        if (context.Outcome?.Switch is { Pending: true } handover)
        {
            try
            {
                await handover.RecordVerifiedAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Only a rollback without records reads the ledger: the verified release serves on.
                deployment.Note($"the hosts' ledger of verified releases could not be written: {ex.Message}", _time.GetUtcNow());
            }

            try
            {
                await handover.RetireAsync(context.Observer, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await StopAsync(context, "while the previous release was retired (the new one was verified and serves)", observer);
            }
            catch (DeployMindException ex)
            {
                // The new release is verified and serves; an old container that did not stop is stopped by the next deploy.
                deployment.Note($"the previous release could not be stopped: {ex.Message}", _time.GetUtcNow());
            }
        }

        return await EndAsync(deployment, d => d.MoveTo(DeploymentState.Succeeded, "all stages passed", _time.GetUtcNow()), observer);
    }

    /// <summary>
    /// The run ends without passing: a switch still pending (verify did not pass) goes back to the previous release, which
    /// kept running. Returns what to add to the reason ("" when there was nothing to put back).
    /// </summary>
    private static async Task<string> RevertAsync(PipelineContext context)
    {
        if (context.Outcome?.Switch is not { Pending: true } handover)
        {
            return string.Empty;
        }

        if (!handover.HasPrevious)
        {
            // A first deploy has nothing to go back to: the new release stays (retired "others" are none).
            await handover.RetireAsync(context.Observer, CancellationToken.None);
            return "; the new release stays in place (nothing served before it)";
        }

        try
        {
            await handover.RevertAsync(context.Observer);
            return $"; traffic is back on {string.Join(", ", handover.PreviousReleases)}, which kept running";
        }
        catch (DeployMindException ex)
        {
            return $"; putting traffic back on {string.Join(", ", handover.PreviousReleases)} failed: {ex.Message}";
        }
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
            // An unverified release does not stay: the previous one, still running, serves again. A handed-over run changes
            // nothing (its worker no longer holds the target); the next holder's deploy retires what is left.
            var back = await RevertAsync(context);
            return await EndAsync(deployment, d => d.MoveTo(DeploymentState.Cancelled, back.Length > 0 ? $"cancelled {when}{back}" : $"cancelled {when}; the target was left as it was", _time.GetUtcNow()), observer);
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
