using System.ComponentModel;
using DeployMind.Application.Deploy;
using DeployMind.Application.Pipeline;
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
        // A repository is fetched first (exactly the commit asked for): its deploymind.yml configures the rest.
        SourceCheckout? checkout = null;
        var appPath = settings.Path;
        if (settings.Repo is not null)
        {
            using var bootstrap = _hosts.Create(null, settings.Config, settings.Verbose);
            checkout = await bootstrap.Services.GetRequiredService<ISourceProvider>().FetchAsync(new SourceSpec(settings.Repo, settings.Ref), cancellationToken);
            appPath = Path.GetFullPath(Path.Combine(checkout.Path, settings.Path));
            if (!Directory.Exists(appPath))
            {
                checkout.Dispose();
                throw new DirectoryNotFoundException($"The repository {settings.Repo} at {checkout.ShortCommit} has no folder '{settings.Path}'.");
            }

            if (!settings.Json)
            {
                _console.MarkupLine($"[grey]fetched {Markup.Escape(settings.Repo)} at {Markup.Escape(settings.Ref)} ({checkout.ShortCommit})[/]");
            }
        }

        using var source = checkout;
        using var host = _hosts.Create(appPath, settings.Config, settings.Verbose);
        var deploys = host.Services.GetRequiredService<DeployService>();
        var orchestrator = host.Services.GetRequiredService<PipelineOrchestrator>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var app = deploys.AppName(appPath, checkout?.Name);
        var command = settings.ToCommand() with
        {
            AppPath = appPath,
            App = checkout?.Name,
            Tag = settings.Tag ?? (checkout is null ? null : $"{app}:{checkout.ShortCommit}"),
        };
        var deployment = new Deployment(
            Guid.NewGuid(), app, command.Environment, deploys.StrategyOf(command), $"cli:{System.Environment.UserName}", time.GetUtcNow())
        {
            Repository = settings.Repo,
            Branch = checkout is null ? null : settings.Ref,
            Commit = checkout?.Commit,
        };
        var pipeline = new PipelineContext(deployment, appPath)
        {
            Command = command,
            Observer = new ConsoleDeployObserver(_console, settings.Json),
            BuildProgress = settings.Json ? null : new BuildStepPrinter(_console, settings.Verbose),
        };
        await orchestrator.RunAsync(pipeline, settings.Json ? null : new StatePrinter(_console), cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, new
            {
                deployment.Id,
                State = deployment.State.Name(),
                deployment.FailedStage,
                deployment.Reason,
                deployment.App,
                deployment.Environment,
                deployment.Repository,
                deployment.Commit,
                deployment.ImageTag,
                Release = pipeline.Request?.Release.ReleaseId,
                Url = pipeline.Request is null ? null : $"http://127.0.0.1:{pipeline.Request.ListenPort}/",
                Scan = pipeline.Scan is null ? null : new { Findings = pipeline.Scan.Report.Findings, Blocking = pipeline.Scan.Blocking.Count },
                Build = pipeline.Build is null ? null : pipeline.Build with { Log = [] },
                pipeline.Outcome,
                deployment.Events,
            });
        }
        else
        {
            Report(deployment, pipeline);
        }

        return deployment.State switch
        {
            DeploymentState.Succeeded => ExitCodes.Success,
            DeploymentState.Cancelled => ExitCodes.Cancelled,
            DeploymentState.Failed when deployment.FailedStage == PipelineStage.Scan => ExitCodes.ScanBlocked,
            DeploymentState.Failed when deployment.FailedStage == PipelineStage.Build => ExitCodes.BuildFailed,
            _ => ExitCodes.DeployFailed,
        };
    }

    private void Report(Deployment deployment, PipelineContext pipeline)
    {
        if (deployment.FailedStage == PipelineStage.Scan && pipeline.Scan is { } scan)
        {
            _console.MarkupLine("[red bold]Blocked by the security scan[/]; nothing was built or deployed.");
            _console.Write(Tables.SecurityFindings(scan.Blocking));
            _console.WriteLine(deployment.Reason ?? string.Empty);
            return;
        }

        if (pipeline.Build is { Success: false } build)
        {
            _console.MarkupLine("[red bold]Build failed[/]; nothing was deployed.");
            _console.WriteLine(build.Error ?? string.Empty);
            return;
        }

        var table = Tables.KeyValue("DeployMind — Deployment Status");
        table.AddRow("Deployment ID", deployment.Id.ToString());
        table.AddRow("App", Markup.Escape($"{deployment.App} ({deployment.Environment})"));
        table.AddRow("Status", deployment.State switch
        {
            DeploymentState.Succeeded => "[green]✅ deployed[/]",
            DeploymentState.RolledBack => "[yellow]↩ rolled back[/]",
            DeploymentState.Cancelled => "[yellow]cancelled[/]",
            _ => $"[red]❌ failed[/]{(deployment.FailedStage is { } stage ? $" at {stage.ToString().ToLowerInvariant()}" : string.Empty)}",
        });
        if (pipeline.Request is { } request)
        {
            table.AddRow("Release", Markup.Escape(request.Release.ReleaseId));
            table.AddRow("Hosts", Markup.Escape(string.Join(", ", request.Hosts.Select(h => h.Name))));
        }

        if (deployment.Commit is { } commit)
        {
            table.AddRow("Commit", Markup.Escape($"{commit[..Math.Min(12, commit.Length)]} ({deployment.Repository} {deployment.Branch})"));
        }

        table.AddRow("Strategy", deployment.Strategy.Name());
        if (pipeline.Build is { } built)
        {
            table.AddRow("Image", Markup.Escape($"{built.ImageTag} ({built.SizeMb:F0}MB)"));
        }

        var elapsed = deployment.UpdatedAt - deployment.CreatedAt;
        table.AddRow("Duration", $"{elapsed.TotalSeconds:F0}s" + (pipeline.Build is { } b ? $" (build {b.Duration.TotalSeconds:F0}s)" : string.Empty));
        if (deployment.HealthChecksPassed is { } passed)
        {
            table.AddRow("Health Checks", $"{passed}/{deployment.HealthChecksRequired} passed");
        }

        if (deployment.CanaryPercentReached is { } percent)
        {
            table.AddRow("Canary", $"{percent}% reached");
        }

        if (deployment.State == DeploymentState.Succeeded && pipeline.Request is { } served)
        {
            table.AddRow("URL", Markup.Escape($"http://127.0.0.1:{served.ListenPort}/"));
        }

        _console.Write(table);
        if (deployment.Reason is not null)
        {
            _console.MarkupLine($"[red]{Markup.Escape(deployment.Reason)}[/]");
        }
    }

    /// <summary>Prints each state the deployment enters.</summary>
    private sealed class StatePrinter(IAnsiConsole console) : IPipelineObserver
    {
        public Task ChangedAsync(Deployment deployment, CancellationToken cancellationToken)
        {
            console.MarkupLine($"[bold]{Markup.Escape(deployment.State.Name())}[/] [grey]{Markup.Escape(deployment.Events[^1].Detail)}[/]");
            return Task.CompletedTask;
        }
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-e|--env <ENVIRONMENT>")]
        [Description("The environment in deploymind.yml (default production; defaults apply when it is not configured).")]
        public string Environment { get; set; } = "production";

        [CommandOption("--host <HOST>")]
        [Description("local (this machine) or ssh://user@host:port, instead of the environment's hosts.")]
        public string? Host { get; set; }

        [CommandOption("-s|--strategy <STRATEGY>")]
        [Description("rolling, canary or blue-green, instead of the environment's.")]
        public string? Strategy { get; set; }

        [CommandOption("-p|--port <PORT>")]
        [Description("The port nginx serves the app on (default: the environment's, else 8080).")]
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

        public override ValidationResult Validate() => Repo is null ? base.Validate() : ValidationResult.Success();

        public Application.Deploy.DeployCommand ToCommand() => new(Path)
        {
            AllowFindings = AllowFindings,
            Environment = Environment,
            Host = Host,
            Port = Port,
            Tag = Tag,
            NoCache = NoCache,
            Strategy = Strategy is null ? null : EnvironmentOptions.ParseStrategy(Strategy, "--strategy"),
        };
    }
}
