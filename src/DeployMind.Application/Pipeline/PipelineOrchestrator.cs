using DeployMind.Application.Configuration;
using DeployMind.Application.Security;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Pipeline;

/// <summary>
/// Runs Scan → Build → Deploy → Verify for one deployment, each under its hard deadline, moving the deployment through
/// its states: a stage that halts fails the deployment with its stage and reason, a rolled back deploy ends in
/// <c>rolled_back</c>, cancellation ends in <c>cancelled</c>. A deployment always reaches a terminal state. The previous
/// release on Docker hosts keeps running through verify: it is retired only once every stage passed, and whatever else
/// ends the run (a halt, a deadline, an error, a cancel) puts traffic straight back on it. After each stage that returned
/// a report, the report is kept in <see cref="PipelineContext.Reports"/> and every <see cref="IPipelineAdvisor"/> is asked
/// about it: advisors add notes, and may halt a stage that passed (never pass one that failed).
/// </summary>
internal sealed class PipelineOrchestrator
{
    private static readonly (PipelineStage Stage, DeploymentState State)[] Order =
    [
        (PipelineStage.Scan, DeploymentState.Scanning),
        (PipelineStage.Build, DeploymentState.Building),
        (PipelineStage.Deploy, DeploymentState.Deploying),
        (PipelineStage.Verify, DeploymentState.Verifying),
    ];

    /// <summary>The longest an advisor's note or reason may be in the timeline; the rest is cut.</summary>
    internal const int MaxAdviceLength = 2000;

    private readonly Dictionary<PipelineStage, IPipelineStage> _stages;
    private readonly IPipelineAdvisor[] _advisors;
    private readonly ITextRedactor _redactor;
    private readonly PipelineOptions _options;
    private readonly TimeProvider _time;
    private readonly IConfigurationLocator _locator;

    /// <summary>A pipeline without advisors.</summary>
    public PipelineOrchestrator(IEnumerable<IPipelineStage> stages, IOptions<PipelineOptions> options, TimeProvider time, IConfigurationLocator locator)
        : this(stages, [], NothingToRedact.Instance, options, time, locator)
    {
    }

    /// <summary>A pipeline whose <paramref name="advisors"/> are asked after each stage; what they say is recorded through <paramref name="redactor"/>.</summary>
    public PipelineOrchestrator(
        IEnumerable<IPipelineStage> stages, IEnumerable<IPipelineAdvisor> advisors, ITextRedactor redactor, IOptions<PipelineOptions> options, TimeProvider time, IConfigurationLocator locator)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(advisors);
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(options);
        _stages = stages.ToDictionary(s => s.Stage);
        _advisors = [.. advisors];
        _redactor = redactor;
        _options = options.Value;
        _time = time;
        _locator = locator;
    }

    /// <summary>Runs the pipeline; returns the deployment in a terminal state (never throws for a stage's failure).</summary>
    public async Task<Deployment> RunAsync(PipelineContext context, IPipelineObserver? observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var deployment = context.Deployment;

        TimeSpan advisorTimeout;
        try
        {
            advisorTimeout = _advisors.Length > 0 ? _options.ParseAdvisorTimeout() : TimeSpan.Zero;
        }
        catch (InvalidInputException ex)
        {
            // An unreadable setting ends the run before anything is done, saying where it is written.
            return await EndAsync(deployment, d => d.Fail(PipelineStage.Scan, _locator.Describe(ex.Message), _time.GetUtcNow()), observer);
        }

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

            context.Add(stage, report);
            switch (report.Outcome)
            {
                case StageOutcome.Halted:
                {
                    // The way back first: no advisor delays putting the previous release back.
                    var back = await RevertAsync(context);
                    await AdviseAfterFailureAsync(stage, report, context, advisorTimeout, observer, cancellationToken);
                    return await EndAsync(deployment, d => d.Fail(stage, report.Summary + back, _time.GetUtcNow()), observer);
                }

                case StageOutcome.RolledBack:
                {
                    var back = await RevertAsync(context);
                    await AdviseAfterFailureAsync(stage, report, context, advisorTimeout, observer, cancellationToken);
                    return await EndAsync(deployment, d => d.MoveTo(DeploymentState.RolledBack, report.Summary + back, _time.GetUtcNow()), observer);
                }

                default:
                {
                    deployment.Note($"{stage.ToString().ToLowerInvariant()} passed: {report.Summary}", _time.GetUtcNow());
                    await NotifyAsync(observer, deployment);
                    string? halt;
                    try
                    {
                        halt = await AdviseAsync(stage, report, context, passed: true, advisorTimeout, observer, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return await StopAsync(context, $"after {stage}", observer);
                    }

                    if (halt is not null)
                    {
                        // Stricter only: the stage passed its rules, an advisor stops it. A release that serves goes back.
                        var back = await TakeBackAsync(context);
                        return await EndAsync(deployment, d => d.Fail(stage, halt + back, _time.GetUtcNow()), observer);
                    }

                    break;
                }
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
    /// Asks every advisor about <paramref name="report"/>, one after the other, each within <c>pipeline.advisorTimeout</c>;
    /// records what each said (redacted) in the context and the timeline. Returns the reason to fail the deployment with —
    /// the first halt, when the stage <paramref name="passed"/> — or null. An advisor that throws or does not answer in
    /// time is a note; only the run's own cancellation is thrown.
    /// </summary>
    private async Task<string?> AdviseAsync(
        PipelineStage stage, StageReport report, PipelineContext context, bool passed, TimeSpan limit, IPipelineObserver? observer, CancellationToken cancellationToken)
    {
        string? halt = null;
        var name = stage.ToString().ToLowerInvariant();
        foreach (var advisor in _advisors)
        {
            var who = Clean(SafeName(advisor));
            var verdict = Redacted(await AskAsync(advisor, stage, report, context, limit, cancellationToken));
            var applied = verdict.Halts && passed && halt is null;
            context.Add(new StageAdvice(stage, who, verdict, applied));
            foreach (var note in verdict.Notes)
            {
                await NoteAsync(context.Deployment, $"{name} advisor {who}: {note}", observer);
            }

            if (applied)
            {
                halt = $"the advisor {who} halted the deployment after {name}: {verdict.HaltReason}";
            }
            else if (verdict.Halts)
            {
                // Nothing to make stricter: the stage failed already, or another advisor halted first.
                await NoteAsync(context.Deployment, $"{name} advisor {who} would halt too: {verdict.HaltReason}", observer);
            }
        }

        return halt;
    }

    /// <summary>One line in the timeline: each is recorded on its own (the recorder logs the newest event of each change).</summary>
    private async Task NoteAsync(Deployment deployment, string line, IPipelineObserver? observer)
    {
        deployment.Note(line, _time.GetUtcNow());
        await NotifyAsync(observer, deployment);
    }

    /// <summary>After a stage that failed: the advisors' notes are recorded, nothing they say changes the outcome.</summary>
    private async Task AdviseAfterFailureAsync(PipelineStage stage, StageReport report, PipelineContext context, TimeSpan limit, IPipelineObserver? observer, CancellationToken cancellationToken)
    {
        try
        {
            await AdviseAsync(stage, report, context, passed: false, limit, observer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ends with the stage's failure anyway.
        }
    }

    /// <summary>One advisor's answer, bounded by the timeout; a failure or a timeout becomes a note.</summary>
    private async Task<AdvisorVerdict> AskAsync(IPipelineAdvisor advisor, PipelineStage stage, StageReport report, PipelineContext context, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // WaitAsync: an advisor that ignores its token is not waited for either.
            return await advisor.AdviseAsync(stage, report, context, linked.Token).WaitAsync(limit, _time, cancellationToken) ?? AdvisorVerdict.None;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            return AdvisorVerdict.Note($"did not answer within {Duration.Format(limit)} (pipeline.advisorTimeout); the outcome is the stage's");
        }
        catch (Exception ex)
        {
            return AdvisorVerdict.Note($"failed ({ex.GetType().Name}: {ex.Message}); the outcome is the stage's");
        }
    }

    private static string SafeName(IPipelineAdvisor advisor)
    {
        try
        {
            return string.IsNullOrWhiteSpace(advisor.Name) ? advisor.GetType().Name : advisor.Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return advisor.GetType().Name;
        }
    }

    /// <summary>What an advisor said, as it may be recorded: secrets masked, one line each, bounded in length.</summary>
    private AdvisorVerdict Redacted(AdvisorVerdict verdict) => verdict with
    {
        Notes = [.. verdict.Notes.Where(n => !string.IsNullOrWhiteSpace(n)).Select(Clean)],
        HaltReason = string.IsNullOrWhiteSpace(verdict.HaltReason) ? null : Clean(verdict.HaltReason),
        Explanation = verdict.Explanation is { } explanation
            ? explanation with
            {
                Text = Clean(explanation.Text),
                Recommendations = [.. explanation.Recommendations.Where(r => !string.IsNullOrWhiteSpace(r)).Select(Clean)],
                Verdict = verdict.Halts ? StageExplanation.HaltVerdict : StageExplanation.NoVerdict,
                Model = Clean(explanation.Model),
            }
            : null,
    };

    private string Clean(string text)
    {
        var line = _redactor.Redact(string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
        return line.Length <= MaxAdviceLength ? line : string.Concat(line.AsSpan(0, MaxAdviceLength), "…");
    }

    /// <summary>
    /// An advisor halted a stage that passed: whatever serves the new release goes back. A pending switch is reverted (as
    /// when verify fails); a deploy that switched without one (a Kubernetes rollout) is rolled back by the deploy stage.
    /// Returns what to add to the reason.
    /// </summary>
    private async Task<string> TakeBackAsync(PipelineContext context)
    {
        if (context.Outcome?.Switch is { Pending: true })
        {
            return await RevertAsync(context);
        }

        return context.Outcome is { Status: DeployStatus.Succeeded } && _stages.GetValueOrDefault(PipelineStage.Deploy) is IRevertibleStage deploy
            ? await deploy.RevertAsync(context, CancellationToken.None)
            : string.Empty;
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

    /// <summary>Used only without advisors: nothing is recorded that needs redacting.</summary>
    private sealed class NothingToRedact : ITextRedactor
    {
        public static NothingToRedact Instance { get; } = new();

        public string Redact(string text) => text;
    }
}
