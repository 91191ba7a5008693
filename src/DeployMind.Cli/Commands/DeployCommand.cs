using System.ComponentModel;
using DeployMind.Application.Deploy;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind deploy [PATH]</c>: build, then deploy with the environment's strategy, with a live view.</summary>
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
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var service = host.Services.GetRequiredService<DeployService>();
        var command = settings.ToCommand();
        var observer = new ConsoleDeployObserver(_console, settings.Json);
        var run = await service.DeployAsync(command, settings.Json ? null : new BuildStepPrinter(_console), observer, cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, new
            {
                run.Plan.ImageTag,
                Build = run.Build with { Log = [] },
                Release = run.Request?.Release.ReleaseId,
                App = run.Request?.Release.App,
                Url = run.Request is null ? null : $"http://127.0.0.1:{run.Request.ListenPort}/",
                run.Outcome,
            });
        }
        else
        {
            Report(run);
        }

        return !run.Build.Success ? ExitCodes.BuildFailed
            : run.Outcome?.Status == DeployStatus.Succeeded ? ExitCodes.Success
            : ExitCodes.DeployFailed;
    }

    private void Report(DeployRun run)
    {
        if (!run.Build.Success)
        {
            _console.MarkupLine("[red bold]Build failed[/]; nothing was deployed.");
            _console.WriteLine(run.Build.Error ?? string.Empty);
            return;
        }

        var outcome = run.Outcome!;
        var request = run.Request!;
        var table = Tables.KeyValue("DeployMind — Deployment");
        table.AddRow("App", Markup.Escape(request.Release.App));
        table.AddRow("Release", Markup.Escape(request.Release.ReleaseId));
        table.AddRow("Status", outcome.Status switch
        {
            DeployStatus.Succeeded => "[green]✅ deployed[/]",
            DeployStatus.RolledBack => "[yellow]↩ rolled back[/]",
            _ => "[red]❌ failed[/]",
        });
        table.AddRow("Strategy", outcome.Strategy.Name());
        table.AddRow("Image", Markup.Escape($"{run.Build.ImageTag} ({run.Build.SizeMb:F0}MB)"));
        table.AddRow("Duration", $"{outcome.Duration.TotalSeconds:F0}s (build {run.Build.Duration.TotalSeconds:F0}s)");
        if (outcome.Health is { } health)
        {
            table.AddRow("Health Checks", Markup.Escape(health.Summary));
        }

        if (outcome.Strategy == StrategyKind.Canary)
        {
            table.AddRow("Canary", $"{outcome.CanaryPercentReached}% reached");
        }

        table.AddRow("Hosts", Markup.Escape(string.Join(", ", request.Hosts.Select(h => h.Name))));
        if (outcome.Status == DeployStatus.Succeeded)
        {
            table.AddRow("URL", Markup.Escape($"http://127.0.0.1:{request.ListenPort}/"));
        }

        _console.Write(table);
        if (outcome.Reason is not null)
        {
            _console.MarkupLine($"[{(outcome.Status == DeployStatus.Succeeded ? "grey" : "red")}]{Markup.Escape(outcome.Reason)}[/]");
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

        public Application.Deploy.DeployCommand ToCommand() => new(Path)
        {
            Environment = Environment,
            Host = Host,
            Port = Port,
            Tag = Tag,
            NoCache = NoCache,
            Strategy = Strategy is null ? null : EnvironmentOptions.ParseStrategy(Strategy, "--strategy"),
        };
    }
}
