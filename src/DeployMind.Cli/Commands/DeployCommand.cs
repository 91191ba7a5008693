using System.ComponentModel;
using System.Text.Json;
using DeployMind.Application.Configuration;
using DeployMind.Application.Jobs;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Records;
using DeployMind.Application.Source;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind deploy [PATH]</c>: the pipeline (build, then deploy with the environment's strategy), with a live view and the status panel at the end.</summary>
internal sealed class DeployCommand : AsyncCommand<DeployCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public DeployCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Queue)
        {
            return await EnqueueAsync(settings, cancellationToken);
        }

        // One host for the command; the deploy itself runs through the job runner, like a worker's job: the app's
        // configuration in a scope of its own, the target's lock and fencing token held from before the deployment is
        // recorded until it is finished (a deploy of the same target by a worker or another CLI waits).
        // The configuration's problems are reported by the job's preparation, every one at once (validate's checks).
        using var host = _hosts.CreateChecked(settings.Repo is null ? settings.Path : null, settings.Config, settings.Verbose, out _);
        var services = host.Services;
        var time = services.GetRequiredService<TimeProvider>();
        var intake = services.GetRequiredService<DeploymentIntake>();
        var asked = settings.ToRequest($"cli:{System.Environment.UserName}");
        var id = Guid.NewGuid();
        SourceCheckout? fetched = null;
        var session = new JobSession
        {
            ConfigFile = settings.Config,
            DeployObserver = new ConsoleDeployObserver(_console, settings.Json),
            BuildProgress = settings.Json ? null : new BuildStepPrinter(_console, settings.Verbose),
            PipelineObserver = settings.Json ? null : new StatePrinter(_console),
            Fetched = checkout =>
            {
                fetched = checkout;
                if (!settings.Json)
                {
                    _console.MarkupLine($"[grey]fetched {Markup.Escape(settings.Repo!)} at {Markup.Escape(settings.Ref)} ({checkout.ShortCommit})[/]");
                }
            },
        };
        using var prepared = await services.GetRequiredService<JobRunner>().PrepareAsync(intake.JobOf(asked, id), session, cancellationToken);
        Warn(prepared.Warnings, settings.Json);
        var (deployment, _) = intake.Draft(
            asked with { App = prepared.App, RecordedStrategy = prepared.Strategy, Targets = prepared.Targets, Commit = fetched?.Commit, Branch = fetched is null ? null : settings.Ref },
            id);
        var triggeredBy = deployment.TriggeredBy;

        await services.GetRequiredService<InterruptedDeployments>().ReconcileAsync(cancellationToken);
        var owner = TargetLocks.OwnerOf(triggeredBy, deployment.Id);
        // Waiting for another run's lock is in the timeline, and past notifications.lockWait it is notified (lock_wait), as a
        // worker's job is: with the app's channels, which the preparation remembered for this deployment.
        var notifier = services.GetService<Application.Notifications.IDeploymentNotifier>();
        await using var held = await services.GetRequiredService<TargetLocks>().AcquireAsync(
            prepared.Targets,
            owner,
            settings.LockWaitTime,
            message =>
            {
                deployment.Note(message, time.GetUtcNow());
                Waiting(message, settings.Json);
            },
            cancellationToken,
            reason => LockWaitNotice.Check(notifier, deployment, reason, time.GetUtcNow()));
        foreach (var handle in held.Handles)
        {
            deployment.Note(LockNotes.Holding(handle, owner), time.GetUtcNow());
        }

        await intake.RecordAsync(deployment, cancellationToken);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var control = new JobControl(held.FenceAsync);

        // A run that lost its lock hands the target over as it is: the newer holder decides what serves.
        held.KeepAlive(reason =>
        {
            control.HandOver(reason);
            run.Cancel();
        });
        try
        {
            deployment = await prepared.RunAsync(control, run.Token);
        }
        catch (OperationCanceledException) when (control.HandOverReason is not null && !cancellationToken.IsCancellationRequested)
        {
            // Stopped before the pipeline began recording: nothing of this run changed the target.
        }

        if (control.HandOverReason is { } lost)
        {
            Waiting($"stopped: {lost}; another run holds the target now and nothing more of this run was recorded", settings.Json);
            return ExitCodes.Cancelled;
        }

        var pipeline = session.Pipeline;
        if (settings.Json)
        {
            // The deployment as `status` shows it, plus this run's scan, build and deploy details.
            var json = JsonSerializer.SerializeToNode(DeploymentView.Of(deployment, time.GetUtcNow()), Json.Options)!.AsObject();
            json["scan"] = JsonSerializer.SerializeToNode(
                pipeline?.Scan is null ? null : new { Findings = pipeline.Scan.Report.Findings, Blocking = pipeline.Scan.Blocking.Count }, Json.Options);
            json["build"] = JsonSerializer.SerializeToNode(pipeline?.Build is null ? null : pipeline.Build with { Log = [] }, Json.Options);
            json["outcome"] = JsonSerializer.SerializeToNode(pipeline?.Outcome, Json.Options);
            Json.Write(_console, json);
        }
        else
        {
            Report(deployment, pipeline, time.GetUtcNow());
        }

        return DeploymentViews.ExitCode(deployment);
    }

    /// <summary>
    /// --queue: records the deployment (queued) and enqueues its job for a worker. The source is read now, as for a deploy
    /// here — a repository is fetched and its commit pinned — so the app's name and its targets come from its
    /// deploymind.yml, and the worker deploys exactly the commit that was asked for.
    /// </summary>
    private async Task<int> EnqueueAsync(Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.CreateChecked(settings.Repo is null ? settings.Path : null, settings.Config, settings.Verbose, out _);
        var services = host.Services;
        var intake = services.GetRequiredService<DeploymentIntake>();
        var asked = settings.ToRequest($"cli:{System.Environment.UserName}");

        // The source is read now, as for a deploy here: the app's name, strategy and targets come from its deploymind.yml.
        SourceCheckout? fetched = null;
        using var prepared = await services.GetRequiredService<JobRunner>().PrepareAsync(
            intake.JobOf(asked, Guid.NewGuid()), new JobSession { ConfigFile = settings.Config, Fetched = checkout => fetched = checkout }, cancellationToken);
        Warn(prepared.Warnings, settings.Json);
        var request = asked with
        {
            App = prepared.App,
            RecordedStrategy = prepared.Strategy,
            Targets = prepared.Targets,

            // The worker deploys exactly the commit that was asked for.
            Commit = fetched?.Commit,
            Branch = fetched is null ? null : settings.Ref,
            IdempotencyKey = settings.RequestId is { } key ? "cli:" + key : null,
        };

        // A request id seen before gives the deployment it already made, and no second record.
        IntakeResult result;
        try
        {
            result = await intake.SubmitAsync(request, cancellationToken);
        }
        catch (IdempotencyKeyReusedException ex)
        {
            var first = ex.Existing;
            throw new Domain.InvalidInputException(
                $"--request-id {settings.RequestId} was used for another request: deployment {first.ShortId()} ({(first.RollbackOf is null ? "of" : "rollback of")} {first.Repository ?? first.App} to {first.Environment}). Use a new id for a new request.");
        }

        var job = result.Job;
        var shortId = job.Id.ToString()[..DeploymentLookup.ShortLength];
        if (settings.Json)
        {
            Json.Write(_console, new { job.Id, ShortId = shortId, Queued = result.Added, job.Environment, job.Targets });
        }
        else
        {
            _console.MarkupLine(result.Added
                ? $"Queued deployment [bold]{shortId}[/] of {Markup.Escape(result.Deployment.App)} in the {Markup.Escape(job.Environment)} queue (targets {Markup.Escape(string.Join(", ", job.Targets))}). `deploymind logs {shortId} --follow` watches it; `deploymind worker --environment {Markup.Escape(job.Environment)}` runs it."
                : $"Request {Markup.Escape(settings.RequestId ?? string.Empty)} was queued before as deployment {shortId}; nothing new was queued.");
        }

        return ExitCodes.Success;
    }

    /// <summary>The configuration's allowed problems (--allow-unknown-keys), like <see cref="Waiting"/>.</summary>
    private void Warn(IReadOnlyList<string> warnings, bool json)
    {
        foreach (var warning in warnings)
        {
            if (json)
            {
                Console.Error.WriteLine("warning: " + warning);
            }
            else
            {
                _console.MarkupLine($"[yellow]warning:[/] {Markup.Escape(warning)}");
            }
        }
    }

    /// <summary>Whom the run waits for: on the console, or on standard error when standard output carries JSON.</summary>
    private void Waiting(string message, bool json)
    {
        if (json)
        {
            Console.Error.WriteLine(message);
        }
        else
        {
            _console.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
        }
    }

    private void Report(Deployment deployment, PipelineContext? pipeline, DateTimeOffset now)
    {
        if (deployment.FailedStage == PipelineStage.Scan && pipeline?.Scan is { } scan)
        {
            _console.MarkupLine("[red bold]Blocked by the security scan[/]; nothing was built or deployed.");
            _console.Write(Tables.SecurityFindings(scan.Blocking));
        }
        else if (pipeline?.Build is { Success: false } build)
        {
            _console.MarkupLine("[red bold]Build failed[/]; nothing was deployed.");
            _console.WriteLine(build.Error ?? string.Empty);
        }

        // A failed build's message (with the log's last lines) was just printed: the panel repeats only its first line.
        _console.Write(DeploymentViews.StatusPanel(deployment, now, reasonShownAbove: pipeline?.Build is { Success: false }));
        _console.MarkupLine($"[grey]`deploymind status {deployment.ShortId()}` shows it again, `deploymind logs {deployment.ShortId()}` its log.[/]");
    }

    /// <summary>Prints each state the deployment enters.</summary>
    private sealed class StatePrinter(IAnsiConsole console) : IPipelineObserver
    {
        public Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            // One line per state: a detail's further lines (a failed build's log) are in the report at the end.
            var detail = deployment.Events[^1].Detail;
            var firstLine = detail.Split('\n', 2)[0];
            console.MarkupLine($"[bold]{Markup.Escape(deployment.State.Name())}[/] [grey]{Markup.Escape(firstLine)}[/]");
            return Task.CompletedTask;
        }
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-e|--env <ENVIRONMENT>")]
        [Description("The environment in deploymind.yml (default production; defaults apply when it is not configured).")]
        public string Environment { get; set; } = "production";

        [CommandOption("--host <HOST>")]
        [Description("local (this machine) or ssh://user@host:port, instead of the environment's hosts. Remembered per app and environment: another one is refused without --relocate.")]
        public string? Host { get; set; }

        [CommandOption("-s|--strategy <STRATEGY>")]
        [Description("rolling, canary or blue-green, instead of the environment's.")]
        public string? Strategy { get; set; }

        [CommandOption("-p|--port <PORT>")]
        [Description("The port nginx serves the app on (default: the one it is served on, else the environment's, else 8080). Remembered per app and environment: another one is refused without --relocate.")]
        public int? Port { get; set; }

        [CommandOption("-t|--tag <TAG>")]
        [Description("Image tag. Default: <folder>:<content hash>.")]
        public string? Tag { get; set; }

        [CommandOption("--no-cache")]
        [Description("Build without the layer cache.")]
        public bool NoCache { get; set; }

        [CommandOption("--repo <REPOSITORY>")]
        [Description("Deploy from a git repository (owner/repo via git.baseUrl, a URL, or a local repository) instead of a folder; PATH is then the app's folder inside it.")]
        public string? Repo { get; set; }

        [CommandOption("--ref <REF>")]
        [Description("With --repo: the branch, tag or commit to deploy (default main).")]
        [DefaultValue("main")]
        public string Ref { get; set; } = "main";

        [CommandOption("--allow-findings")]
        [Description("Deploy despite blocking security findings (recorded in the deployment).")]
        public bool AllowFindings { get; set; }

        [CommandOption("--allow-unknown-keys")]
        [Description("Deploy although deploymind.yml has keys no setting has (each printed as a warning); without it they are refused, with the key meant.")]
        public bool AllowUnknownKeys { get; set; }

        [CommandOption("--relocate")]
        [Description("With --port or --host: move the app there although it is served elsewhere (otherwise refused, naming where it is).")]
        public bool Relocate { get; set; }

        [CommandOption("--queue")]
        [Description("Queue the deployment for a worker (`deploymind worker`) instead of running it here; prints its id.")]
        public bool Queue { get; set; }

        [CommandOption("--lock-wait <DURATION>")]
        [Description("How long to wait while another deploy holds a target's lock (default 30m; 0s: fail at once).")]
        [DefaultValue("30m")]
        public string LockWait { get; set; } = "30m";

        /// <summary><see cref="LockWait"/>, checked.</summary>
        public TimeSpan LockWaitTime => Domain.Duration.Parse(LockWait, "--lock-wait");

        [CommandOption("--request-id <ID>")]
        [Description("With --queue: an idempotency key; the same key queues at most one deployment.")]
        public string? RequestId { get; set; }

        public override ValidationResult Validate() => Repo is null ? base.Validate() : ValidationResult.Success();

        /// <summary>
        /// The request these options make (the one type every front door fills in): a worker runs elsewhere (another
        /// folder, another process), so local paths go into it absolute; the app, its strategy and targets are the app
        /// configuration's, read when the job is prepared.
        /// </summary>
        public DeploymentRequest ToRequest(string triggeredBy) => new()
        {
            Environment = Environment,
            TriggeredBy = triggeredBy,
            Repository = Repo,
            Source = Repo is { } repo && Directory.Exists(repo) ? System.IO.Path.GetFullPath(repo) : Repo,
            Ref = Repo is null ? null : Ref,
            Path = Repo is null ? System.IO.Path.GetFullPath(Path) : Path,
            Strategy = Strategy is null ? null : EnvironmentOptions.ParseStrategy(Strategy, "--strategy"),
            Host = Host,
            Port = Port,
            Tag = Tag,
            NoCache = NoCache,
            AllowFindings = AllowFindings,
            AllowUnknownKeys = AllowUnknownKeys,
            Relocate = Relocate,
            Priority = JobPriority.Manual,
        };
    }
}
