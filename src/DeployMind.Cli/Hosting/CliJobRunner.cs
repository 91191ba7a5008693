using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.Cli.Hosting;

/// <summary>
/// The worker's <see cref="IJobRunner"/>: each job gets its own workspace (the commit fetched, the app's deploymind.yml
/// read) and runs the recorded deployment through the same pipeline as <c>deploy</c>. Every state change is fenced with
/// the job's lock tokens: a newer holder of a target stops this run before its next step. Pull request jobs deploy the
/// app's preview (app <c>&lt;app&gt;-pr-&lt;n&gt;</c>, its own server name) or tear it down.
/// </summary>
internal sealed class CliJobRunner : IJobRunner
{
    private static readonly TimeSpan ReportFlushDeadline = TimeSpan.FromSeconds(30);

    private readonly CliHostFactory _hosts;
    private readonly string? _config;
    private readonly bool _verbose;

    public CliJobRunner(CliHostFactory hosts, string? config, bool verbose)
    {
        _hosts = hosts;
        _config = config;
        _verbose = verbose;
    }

    public async Task<IReadOnlyList<string>> TargetsAsync(DeployJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Targets.Count > 0)
        {
            return job.Targets;
        }

        var prepared = await PrepareAsync(job, cancellationToken);
        using (prepared.Workspace)
        {
            return prepared.Targets;
        }
    }

    public async Task<Deployment> RunAsync(DeployJob job, JobControl control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(control);
        var prepared = await PrepareAsync(job, cancellationToken);
        if (prepared.Workspace is not { } workspace)
        {
            // The source or its configuration is unusable: the deployment ends (recorded), nothing is retried.
            return await EndUnstartedAsync(job, prepared, cancellationToken);
        }

        using (workspace)
        {
            var services = workspace.Host.Services;
            var store = services.GetRequiredService<IDeploymentStore>();
            var time = services.GetRequiredService<TimeProvider>();
            var reporter = services.GetRequiredService<IDeploymentReporter>();
            var deployment = await store.GetAsync(job.Id, cancellationToken)
                ?? throw new DeployMindException($"Deployment {job.Id} is not recorded in {store.Description}; is `database` configured the same for the worker and for whoever enqueued the job?");
            if (workspace.Checkout is { } checkout && deployment.Commit != checkout.Commit)
            {
                deployment.RecordCommit(checkout.Commit);
            }

            var command = prepared.Command!;
            if (deployment.State == DeploymentState.Queued && job.RollbackOf is null)
            {
                // A webhook's or the API's job knew only the repository: the app's name and strategy come from its deploymind.yml.
                deployment.Configure(workspace.Deploys.InstanceName(command, workspace.AppPath), job.Teardown ? deployment.Strategy : workspace.Deploys.StrategyOf(command));
                await store.SaveAsync(deployment, cancellationToken);
            }

            try
            {
                if (prepared.Refusal is { } refusal)
                {
                    deployment.MoveTo(DeploymentState.Cancelled, refusal, time.GetUtcNow());
                    await store.SaveAsync(deployment, cancellationToken);
                    reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
                    return deployment;
                }

                if (job.Teardown)
                {
                    return await TeardownAsync(workspace, deployment, command, cancellationToken);
                }

                if (job.RollbackOf is not null)
                {
                    var rollback = await services.GetRequiredService<RollbackRunner>().RunQueuedAsync(deployment, command, null, cancellationToken);
                    reporter.Report(DeploymentReport.Of(rollback, time.GetUtcNow()));
                    return rollback;
                }

                using var fenced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                await services.GetRequiredService<DeploymentRunner>().RunAsync(
                    new DeploymentRunner.Run(deployment, workspace.AppPath)
                    {
                        Command = command,
                        AlreadyRecorded = true,
                        PipelineObserver = new Fence(control, fenced),
                        HandOverReason = () => control.HandOverReason,
                    },
                    fenced.Token);
                return deployment;
            }
            finally
            {
                // The workspace's reporter goes with its host: what it still has to send is sent first (bounded).
                using var flush = new CancellationTokenSource(ReportFlushDeadline);
                await reporter.FlushAsync(flush.Token);
            }
        }
    }

    /// <summary>The job's workspace and command, or why it cannot run (<see cref="Prepared.Workspace"/> null).</summary>
    private async Task<Prepared> PrepareAsync(DeployJob job, CancellationToken cancellationToken)
    {
        DeploymentWorkspace workspace;
        try
        {
            workspace = await DeploymentWorkspace.OpenAsync(_hosts, job.Repository, job.Ref ?? "main", job.Path, _config, _verbose, cancellationToken);
        }
        catch (Exception ex) when (ex is DeployMindException or DirectoryNotFoundException or FileNotFoundException or InvalidDataException)
        {
            return job.Teardown
                ? new Prepared(null, null, [], null, null) { Problem = null, TeardownWithoutSource = ex.Message }
                : new Prepared(null, null, [], $"could not prepare the source: {ex.Message}", null);
        }

        try
        {
            var command = workspace.Complete(new Application.Deploy.DeployCommand(job.Path)
            {
                Environment = job.Environment,
                Strategy = job.Strategy is null ? null : EnvironmentOptions.ParseStrategy(job.Strategy, "strategy"),
                Host = job.Host,
                Port = job.Port,
                Tag = job.Tag,
                NoCache = job.NoCache,
                AllowFindings = job.AllowFindings,
            });
            var app = workspace.Host.Services.GetRequiredService<IOptions<AppOptions>>().Value;
            string? refusal = null;
            if (job.PullRequest is { } number)
            {
                command = command with
                {
                    PullRequest = number,
                    ServerName = app.Previews.ServerName(number),
                    Port = job.Port ?? app.Previews.Port,
                };
                if (!app.Previews.Enabled && !job.Teardown)
                {
                    refusal = "previews are disabled for this app (previews.enabled: false in its deploymind.yml)";
                }
                else if (app.Environment(job.Environment).Target.Kubernetes is not null)
                {
                    refusal = $"previews run on Docker hosts, but environments.{job.Environment}.target is kubernetes: give the previews' environment (server.previews.environment) a docker target";
                }
            }
            else if (job.Priority == JobPriority.Webhook && app.Environment(job.Environment).Branch is { Length: > 0 } branch
                && job.Branch is { } pushed && !string.Equals(branch, pushed, StringComparison.Ordinal))
            {
                refusal = $"the push to {pushed} was queued for {job.Environment}, but deploymind.yml says environments.{job.Environment}.branch is {branch}: nothing deployed";
            }

            // Previews lock their own app on each host: they never wait for (or block) the environment's other deploys.
            var targets = workspace.Deploys.TargetsOf(command);
            if (job.PullRequest is not null)
            {
                targets = [.. targets.Select(t => $"{t}/{workspace.Deploys.InstanceName(command, workspace.AppPath)}")];
            }

            return new Prepared(workspace, command, targets, null, refusal);
        }
        catch (DeployMindException ex)
        {
            workspace.Dispose();
            return new Prepared(null, null, [], $"the app's configuration cannot be used: {ex.Message}", null);
        }
    }

    /// <summary>Removes the preview from every host of its environment (recorded as its own deployment: queued → deploying → succeeded).</summary>
    private static async Task<Deployment> TeardownAsync(DeploymentWorkspace workspace, Deployment deployment, Application.Deploy.DeployCommand command, CancellationToken cancellationToken)
    {
        var services = workspace.Host.Services;
        var store = services.GetRequiredService<IDeploymentStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var reporter = services.GetRequiredService<IDeploymentReporter>();
        var app = workspace.Deploys.InstanceName(command, workspace.AppPath);
        deployment.MoveTo(DeploymentState.Deploying, $"removing the preview {app}", time.GetUtcNow());
        await store.SaveAsync(deployment, cancellationToken);
        reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
        try
        {
            await using var log = new DeploymentLog(store, deployment.Id, time, NullLogger.Instance);
            var removed = await workspace.Deploys.RemoveAsync(command, app, log.Observe((IDeployObserver?)null), cancellationToken);
            await VerifyRemovedAsync(workspace.Deploys, command, app, deployment, removed, store, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            deployment.MoveTo(DeploymentState.Cancelled, "cancelled while removing the preview; run the teardown again", time.GetUtcNow());
        }
        catch (Exception ex) when (ex is DeployMindException or InvalidOperationException or IOException)
        {
            deployment.Fail(PipelineStage.Deploy, $"the preview could not be removed: {ex.Message}", time.GetUtcNow());
        }

        await store.SaveAsync(deployment, CancellationToken.None);
        reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
        return deployment;
    }

    /// <summary>Verifying: nothing of the preview is left on its hosts; then succeeded (or failed, naming what is left).</summary>
    private static async Task VerifyRemovedAsync(
        DeployService deploys, Application.Deploy.DeployCommand command, string app, Deployment deployment, IReadOnlyList<string> removed, IDeploymentStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        deployment.MoveTo(DeploymentState.Verifying, $"removed {string.Join("; ", removed)}", time.GetUtcNow());
        await store.SaveAsync(deployment, cancellationToken);
        var left = await deploys.LeftoversAsync(command, app, cancellationToken);
        if (left.Count == 0)
        {
            deployment.MoveTo(DeploymentState.Succeeded, $"preview {app} removed: no container or nginx site of it is left", time.GetUtcNow());
        }
        else
        {
            deployment.Fail(PipelineStage.Verify, $"the preview {app} is not fully removed: {string.Join("; ", left)}; run the teardown again or remove them by hand", time.GetUtcNow());
        }
    }

    /// <summary>A job that cannot start: failed with the reason, or, for a teardown whose source is gone, removed with the defaults.</summary>
    private async Task<Deployment> EndUnstartedAsync(DeployJob job, Prepared prepared, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, _config, _verbose);
        var services = host.Services;
        var store = services.GetRequiredService<IDeploymentStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var reporter = services.GetRequiredService<IDeploymentReporter>();
        var deployment = await store.GetAsync(job.Id, cancellationToken)
            ?? throw new DeployMindException($"Deployment {job.Id} is not recorded in {store.Description}.");
        if (deployment.IsFinished)
        {
            return deployment;
        }

        try
        {
            if (prepared.TeardownWithoutSource is { } why && job.PullRequest is { } number)
            {
                // The commit is gone (a force-push, a deleted fork): the preview is removed with the server's own settings.
                var deploys = services.GetRequiredService<DeployService>();
                var suffix = PreviewOptions.AppName(string.Empty, number);
                var app = deployment.App.EndsWith(suffix, StringComparison.Ordinal) ? deployment.App : PreviewOptions.AppName(deployment.App, number);
                deployment.MoveTo(DeploymentState.Deploying, $"removing the preview {app} (its source could not be read: {why}; using this machine's settings)", time.GetUtcNow());
                await store.SaveAsync(deployment, cancellationToken);
                var command = new Application.Deploy.DeployCommand(".") { Environment = job.Environment, Host = job.Host };
                await using var log = new DeploymentLog(store, deployment.Id, time, NullLogger.Instance);
                var removed = await deploys.RemoveAsync(command, app, log.Observe((IDeployObserver?)null), cancellationToken);
                await VerifyRemovedAsync(deploys, command, app, deployment, removed, store, time, cancellationToken);
            }
            else
            {
                deployment.Fail(PipelineStage.Scan, prepared.Problem ?? "the job could not be prepared", time.GetUtcNow());
            }
        }
        catch (Exception ex) when (ex is DeployMindException or InvalidOperationException or IOException)
        {
            deployment.Fail(PipelineStage.Deploy, $"the preview could not be removed: {ex.Message}", time.GetUtcNow());
        }

        await store.SaveAsync(deployment, CancellationToken.None);
        reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
        using var flush = new CancellationTokenSource(ReportFlushDeadline);
        await reporter.FlushAsync(flush.Token);
        return deployment;
    }

    /// <param name="Workspace">Null when the job cannot run (see <see cref="Problem"/>).</param>
    /// <param name="Command">The deploy command, with the workspace's folder, app and (for previews) server name.</param>
    /// <param name="Targets">What the job locks.</param>
    /// <param name="Problem">Why the job cannot run at all (it fails).</param>
    /// <param name="Refusal">Why the job must not deploy although it could (it ends cancelled): previews disabled, a branch mismatch.</param>
    private sealed record Prepared(DeploymentWorkspace? Workspace, Application.Deploy.DeployCommand? Command, IReadOnlyList<string> Targets, string? Problem, string? Refusal)
    {
        /// <summary>A teardown whose source could not be fetched: it goes ahead with the machine's settings.</summary>
        public string? TeardownWithoutSource { get; init; }
    }

    /// <summary>Before each state change is acted on: still the newest holder of every target? Else stop the run.</summary>
    private sealed class Fence(JobControl control, CancellationTokenSource stop) : IPipelineObserver
    {
        public async Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            if (!deployment.IsFinished && deployment.State != DeploymentState.Queued && !await control.FenceAsync(CancellationToken.None))
            {
                control.HandOver("a newer holder of a target exists (fencing token refused)");
                await stop.CancelAsync();
            }
        }
    }
}
