using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Application.Reporting;
using DeployMind.Application.Source;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Jobs;

/// <summary>
/// Runs jobs — a worker's, the server's, and the CLI's own <c>deploy</c> — in this process's one container: each job
/// gets a workspace (the commit fetched, the app's configuration read through <see cref="IAppConfigurationSource"/> into a
/// DI scope of its own) and runs its recorded deployment through the pipeline. Every state change is fenced with the
/// job's lock tokens: a newer holder of a target stops this run before its next step. Pull request jobs deploy the app's
/// preview (app <c>&lt;app&gt;-pr-&lt;n&gt;</c>, its own server name) or tear it down. Use-case policy for jobs lives here:
/// previews disabled or on Kubernetes are refused, and a push is deployed only to the environment whose branch it is.
/// </summary>
public sealed class JobRunner : IJobRunner
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IAppConfigurationSource _configurations;
    private readonly ISourceProvider _sources;

    public JobRunner(IServiceScopeFactory scopes, IAppConfigurationSource configurations, ISourceProvider sources)
    {
        _scopes = scopes;
        _configurations = configurations;
        _sources = sources;
    }

    public Task<PreparedJob> PrepareAsync(DeployJob job, CancellationToken cancellationToken) => PrepareAsync(job, null, cancellationToken);

    /// <summary>
    /// <see cref="IJobRunner.PrepareAsync(DeployJob, CancellationToken)"/> for a front door that runs the job itself, with its
    /// live views and configuration file (<paramref name="session"/>).
    /// </summary>
    public async Task<PreparedJob> PrepareAsync(DeployJob job, JobSession? session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.Targets.Count > 0)
        {
            // The job names its targets: the source is fetched once they are locked (a job that waits for a lock fetches nothing).
            // What it is told before that (lock_wait while it waits, superseded) still goes to its app's channels.
            RememberChannels(job, session?.ConfigFile);
            return new PreparedJob(job.Targets, async (control, token) =>
            {
                using var prepared = await PrepareSourceAsync(job, session, token);
                return await RunAsync(job, prepared, session, control, token);
            });
        }

        // A webhook's or the API's job: the fetched source tells the targets, and is kept for the run.
        var source = await PrepareSourceAsync(job, session, cancellationToken);
        return new PreparedJob(source.Targets, (control, token) => RunAsync(job, source, session, control, token), source)
        {
            App = source.App,
            Strategy = source.Strategy,
            Warnings = source.Warnings,
        };
    }

    /// <summary>
    /// For a job that waits for its locks before its source is read: the app's notification channels, from the deploymind.yml
    /// of its folder (read now: a local folder costs nothing; a repository is not fetched before the lock, so its jobs keep
    /// the process's channels until the run reads the commit's). A configuration that cannot be read is the run's to report.
    /// </summary>
    private void RememberChannels(DeployJob job, string? configFile)
    {
        if (job.Repository is not null || !Directory.Exists(job.Path))
        {
            return;
        }

        using var scope = _scopes.CreateScope();
        if (scope.ServiceProvider.GetService<Notifications.NotificationDispatcher>() is not { } dispatcher)
        {
            return;
        }

        try
        {
            var configuration = _configurations.Load(job.Path, configFile);
            scope.ServiceProvider.GetRequiredService<AppConfigurationScope>().Use(configuration.Configuration);
            dispatcher.Remember(job.Id, scope.ServiceProvider.GetRequiredService<IOptions<Notifications.NotificationOptions>>().Value);
        }
        catch (Exception ex) when (ex is DeployMindException or FileNotFoundException or InvalidDataException or OptionsValidationException)
        {
            // The run reads the configuration again and records what is wrong with it; until then the process's channels.
        }
    }

    private static async Task<Deployment> RunAsync(DeployJob job, Prepared prepared, JobSession? session, JobControl control, CancellationToken cancellationToken)
    {
        var store = prepared.Services.GetRequiredService<IDeploymentStore>();
        var deployment = await store.GetAsync(job.Id, cancellationToken)
            ?? throw new DeployMindException($"Deployment {job.Id} is not recorded in {store.Description}; is `database` configured the same for the worker and for whoever enqueued the job?");
        return await RunAsync(job, prepared, deployment, session, control, cancellationToken);
    }

    private static async Task<Deployment> RunAsync(DeployJob job, Prepared prepared, Deployment deployment, JobSession? session, JobControl control, CancellationToken cancellationToken)
    {
        var services = prepared.Services;
        var store = services.GetRequiredService<IDeploymentStore>();
        var time = services.GetRequiredService<TimeProvider>();
        var reporter = services.GetRequiredService<IDeploymentReporter>();
        if (deployment.IsFinished)
        {
            return deployment;
        }

        if (prepared.Workspace is not { } workspace)
        {
            // The source or its configuration is unusable: the deployment fails (recorded), nothing is retried; a teardown
            // whose commit is gone still removes the preview, with this machine's settings.
            if (prepared.Command is { } fallback && prepared.App is { } app)
            {
                return await RemovePreviewAsync(services, fallback, app, deployment, $"{prepared.Problem}; using this machine's settings", cancellationToken);
            }

            deployment.Fail(PipelineStage.Scan, prepared.Problem ?? "the job could not be prepared", time.GetUtcNow());
            await store.SaveAsync(deployment, CancellationToken.None);
            reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
            return deployment;
        }

        if (workspace.Checkout is { } checkout && deployment.Commit != checkout.Commit)
        {
            deployment.RecordCommit(checkout.Commit);
        }

        var command = prepared.Command!;
        if (deployment.State == DeploymentState.Queued && job.RollbackOf is null)
        {
            // A webhook's or the API's job knew only the repository: the app's name and strategy come from its deploymind.yml.
            deployment.Configure(prepared.App!, prepared.Strategy ?? deployment.Strategy);
            await store.SaveAsync(deployment, cancellationToken);
        }

        foreach (var warning in prepared.Warnings)
        {
            deployment.Note($"configuration: {warning}", time.GetUtcNow());
        }

        if (prepared.Refusal is { } refusal)
        {
            deployment.MoveTo(DeploymentState.Cancelled, refusal, time.GetUtcNow());
            await store.SaveAsync(deployment, cancellationToken);
            reporter.Report(DeploymentReport.Of(deployment, time.GetUtcNow()));
            return deployment;
        }

        if (job.Teardown)
        {
            return await RemovePreviewAsync(services, command, prepared.App!, deployment, null, cancellationToken);
        }

        if (job.RollbackOf is not null)
        {
            var rollback = await services.GetRequiredService<RollbackRunner>().RunQueuedAsync(deployment, command, null, cancellationToken);
            reporter.Report(DeploymentReport.Of(rollback, time.GetUtcNow()));
            return rollback;
        }

        using var fenced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipeline = await services.GetRequiredService<DeploymentRunner>().RunAsync(
            new DeploymentRunner.Run(deployment, workspace.AppPath)
            {
                Command = command,
                AlreadyRecorded = true,
                Fence = new LockFence(control.FenceAsync, fenced, control.HandOver),
                HandOverReason = () => control.HandOverReason,
                DeployObserver = session?.DeployObserver,
                BuildProgress = session?.BuildProgress,
                PipelineObserver = session?.PipelineObserver,
            },
            fenced.Token);
        if (session is not null)
        {
            session.Pipeline = pipeline;
        }

        return deployment;
    }

    /// <summary>The job's workspace, command, app and targets; or why it cannot run (no workspace).</summary>
    private async Task<Prepared> PrepareSourceAsync(DeployJob job, JobSession? session, CancellationToken cancellationToken)
    {
        JobWorkspace workspace;
        try
        {
            workspace = await JobWorkspace.OpenAsync(_scopes, _configurations, _sources, job, session, cancellationToken);
        }
        catch (Exception ex) when (session is null && ex is DeployMindException or DirectoryNotFoundException or FileNotFoundException or InvalidDataException or OptionsValidationException)
        {
            // A queued job's problem is recorded on its deployment; a front door running the job itself (a session) gets the exception.
            var problem = $"could not prepare the source: {Describe(ex)}";
            return job is { Teardown: true, PullRequest: { } number }
                ? await PrepareSourcelessTeardownAsync(job, number, problem, cancellationToken)
                : new Prepared(_scopes.CreateScope(), null, null, null, [], problem, null);
        }

        try
        {
            var command = workspace.Complete(new DeployCommand(job.Path)
            {
                Environment = job.Environment,
                Strategy = job.Strategy is null ? null : EnvironmentOptions.ParseStrategy(job.Strategy, "strategy"),
                Host = job.Host,
                Port = job.Port,
                Tag = job.Tag,
                NoCache = job.NoCache,
                AllowFindings = job.AllowFindings,
            });
            var app = workspace.Services.GetRequiredService<IOptions<AppOptions>>().Value;
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

            // Where the app lives is remembered: a deploy without --port or --host stays there, one with another is refused
            // unless it asked to move. Previews, rollbacks and removals have places of their own.
            if (job is { Teardown: false, RollbackOf: null, PullRequest: null } && app.Environment(job.Environment).Target.Kubernetes is null
                && await Placement.OfAsync(workspace.Services.GetRequiredService<IDeploymentStore>(), workspace.Deploys.InstanceName(command, workspace.AppPath), job.Environment, cancellationToken) is { } placement)
            {
                var docker = $"environments:{job.Environment}:target:docker";
                var configuration = workspace.Configuration.Configuration;
                command = placement.Apply(command, job.Relocate, configuration[$"{docker}:port"] is not null, configuration.GetSection($"{docker}:hosts").Exists());
            }

            // Every problem of the app's configuration at once, before anything is locked or built. A rollback or a preview's
            // removal goes on whatever the file says now: it must work at 2 a.m. with a half-edited deploymind.yml.
            IReadOnlyList<ConfigurationProblem> problems = job.Teardown || job.RollbackOf is not null ? [] : workspace.Problems(command, job.AllowUnknownKeys);
            if (problems.Any(p => !p.IsWarning))
            {
                throw new InvalidConfigurationException([.. problems.Where(p => !p.IsWarning)]);
            }

            // The deployment's notifications go where its app's configuration says, from whichever path reports it.
            workspace.Services.GetService<Notifications.NotificationDispatcher>()?.Remember(
                job.Id, workspace.Services.GetRequiredService<IOptions<Notifications.NotificationOptions>>().Value);

            // Read once, inside this guard: a strategy the target cannot run is the job's problem, recorded, never a crash.
            var strategy = job.Teardown ? (StrategyKind?)null : workspace.Deploys.StrategyOf(command);
            return new Prepared(null, workspace, command, workspace.Deploys.InstanceName(command, workspace.AppPath), workspace.Deploys.TargetsOf(command), null, refusal)
            {
                Strategy = strategy,
                Warnings = [.. problems.Select(p => p.ToString())],
            };
        }
        catch (Exception ex) when (ex is DeployMindException or OptionsValidationException)
        {
            workspace.Dispose();
            if (session is not null)
            {
                throw;
            }

            return new Prepared(_scopes.CreateScope(), null, null, null, [], $"the app's configuration cannot be used: {Describe(ex)}", null);
        }
    }

    /// <summary>A closed pull request whose commit is gone (a force-push, a deleted fork): its preview is removed with this machine's settings.</summary>
    private async Task<Prepared> PrepareSourcelessTeardownAsync(DeployJob job, int number, string problem, CancellationToken cancellationToken)
    {
        var host = _scopes.CreateScope();
        try
        {
            var deployment = await host.ServiceProvider.GetRequiredService<IDeploymentStore>().GetAsync(job.Id, cancellationToken);
            var deploys = host.ServiceProvider.GetRequiredService<DeployService>();
            if (deployment is null)
            {
                return new Prepared(host, null, null, null, [], problem, null);
            }

            // The recorded name is the preview's (<app>-pr-<n>) once a worker has read the app's configuration, else the repository's.
            var suffix = PreviewOptions.AppName(string.Empty, number);
            var app = deployment.App.EndsWith(suffix, StringComparison.Ordinal) ? deployment.App[..^suffix.Length] : deployment.App;
            var command = new DeployCommand(".") { Environment = job.Environment, Host = job.Host, PullRequest = number, App = app };
            return new Prepared(host, null, command, deploys.InstanceName(command, command.AppPath), deploys.TargetsOf(command), problem, null);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Removes the preview from every host of its environment (recorded as its own deployment: deploying → verifying → succeeded).</summary>
    private static Task<Deployment> RemovePreviewAsync(
        IServiceProvider services, DeployCommand command, string app, Deployment deployment, string? note, CancellationToken cancellationToken) =>
        services.GetRequiredService<AppRemoval>().RemoveAsync(command, app, deployment, $"the preview {app}", removeImages: false, observer: null, note, cancellationToken);

    private static string Describe(Exception exception) => exception switch
    {
        InvalidConfigurationException invalid => string.Join("; ", invalid.Problems.Select(p => p.ToString())),
        OptionsValidationException options => string.Join("; ", options.Failures),
        _ => exception.Message,
    };

    /// <summary>A job prepared to run: its services (the workspace's scope, or one with this process's settings when there is no workspace) and what it runs.</summary>
    /// <param name="Host">A scope with this process's settings, when there is no workspace (released with this).</param>
    /// <param name="Workspace">The fetched source and its host; null when the job cannot run (see <paramref name="Problem"/>).</param>
    /// <param name="Command">The deploy command, with the workspace's folder, app and (for previews) server name.</param>
    /// <param name="App">The app's instance name (a preview's <c>&lt;app&gt;-pr-&lt;n&gt;</c>).</param>
    /// <param name="Targets">What the job locks.</param>
    /// <param name="Problem">Why the job cannot run from its source (it fails, or a teardown goes on with this machine's settings).</param>
    /// <param name="Refusal">Why the job must not deploy although it could (it ends cancelled): previews disabled, a branch mismatch.</param>
    private sealed record Prepared(
        IServiceScope? Host, JobWorkspace? Workspace, DeployCommand? Command, string? App, IReadOnlyList<string> Targets, string? Problem, string? Refusal)
        : IDisposable
    {
        public IServiceProvider Services => Workspace?.Services ?? Host!.ServiceProvider;

        /// <summary>The strategy the app's configuration deploys with (null for a teardown, which keeps the recorded one).</summary>
        public StrategyKind? Strategy { get; init; }

        /// <summary>What is wrong with the configuration but was allowed (keys no setting has, with --allow-unknown-keys).</summary>
        public IReadOnlyList<string> Warnings { get; init; } = [];

        public void Dispose()
        {
            Workspace?.Dispose();
            Host?.Dispose();
        }
    }
}
