using System.ComponentModel;
using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Build;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind build [PATH]</c>: detect → Dockerfile → lint → docker build, with live step progress.</summary>
internal sealed class BuildCommand : AsyncCommand<BuildCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public BuildCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var service = host.Services.GetRequiredService<BuildService>();
        var plan = await service.PlanAsync(settings.Path, settings.Tag, cancellationToken);
        if (!settings.Json)
        {
            WritePlan(plan);
        }

        BuildResult result;
        if (settings.Json)
        {
            result = await service.BuildAsync(plan, null, settings.NoCache, cancellationToken);
        }
        else if (_console.Profile.Capabilities.Interactive)
        {
            // A spinner names the running step; each step is also printed as it starts.
            var progress = new BuildStepPrinter(_console, settings.Verbose);
            result = await _console.Status().Spinner(Spinner.Known.Dots).StartAsync("Building…", async ctx =>
            {
                progress.Status = ctx;
                return await service.BuildAsync(plan, progress, settings.NoCache, cancellationToken);
            });
        }
        else
        {
            result = await service.BuildAsync(plan, new BuildStepPrinter(_console, settings.Verbose), settings.NoCache, cancellationToken);
        }

        if (settings.Json)
        {
            Json.Write(_console, new
            {
                plan.ImageTag,
                plan.AppPath,
                plan.Detection,
                plan.DockerfileGenerated,
                Findings = plan.Findings,
                Result = result with { Log = settings.Verbose ? result.Log : [] },
            });
        }
        else
        {
            WriteResult(result);
        }

        return result.Success ? ExitCodes.Success : ExitCodes.BuildFailed;
    }

    private void WritePlan(BuildPlan plan)
    {
        var what = plan.Detection is null ? "app" : plan.Detection.Language.DisplayName() + (plan.Detection.Framework is null ? string.Empty : $" ({plan.Detection.Framework})");
        _console.MarkupLine($"[bold]Building[/] {Markup.Escape(what)} in {Markup.Escape(plan.AppPath)} as [bold]{Markup.Escape(plan.ImageTag)}[/]");
        _console.MarkupLine(plan.DockerfileGenerated
            ? "  Dockerfile: [green]generated[/] (the app has none; `deploymind init` writes it into the folder)"
            : "  Dockerfile: the app's own");
        if (plan.Builder is { } builder)
        {
            _console.MarkupLine($"  Builder: {Markup.Escape(builder.Name)}{(plan.DockerfileGenerated && builder.SupportsCacheMounts ? " (the generated Dockerfile uses cache mounts)" : string.Empty)}");
        }

        if (plan.Findings.Count > 0)
        {
            _console.MarkupLine($"  Lint: [yellow]{plan.Findings.Count} finding(s)[/] (see `deploymind lint`)");
            foreach (var f in plan.Findings)
            {
                _console.MarkupLine($"    line {f.Line} {f.RuleId} {Tables.SeverityMarkup(f.Severity)} {Markup.Escape(f.Message)}");
            }
        }
        else
        {
            _console.MarkupLine("  Lint: [green]clean[/]");
        }
    }

    private void WriteResult(BuildResult result)
    {
        if (!result.Success)
        {
            _console.MarkupLine($"[red bold]Build failed[/] after {result.Duration.TotalSeconds:F1}s{(result.Builder is null ? string.Empty : Markup.Escape($" ({result.Builder})"))}");
            _console.WriteLine(result.Error ?? "docker build failed.");
            return;
        }

        var table = Tables.KeyValue("Image built");
        table.AddRow("Tag", Markup.Escape(result.ImageTag));
        table.AddRow("Id", Markup.Escape(result.ImageId ?? string.Empty));
        table.AddRow("Size", $"{result.SizeMb:F1} MB");
        table.AddRow("Layers", result.Layers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Duration", $"{result.Duration.TotalSeconds:F1}s");
        table.AddRow("Builder", Markup.Escape(result.Builder ?? "unknown"));
        table.AddRow("Cached steps", result.CacheHits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        table.AddRow("Warnings", result.Warnings.Count == 0 ? "none" : Markup.Escape(string.Join("\n", result.Warnings)));
        _console.Write(table);
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-t|--tag <TAG>")]
        [Description("Image tag. Default: <folder>:<content hash of the sources>.")]
        public string? Tag { get; set; }

        [CommandOption("--no-cache")]
        [Description("Build without the layer cache (BuildKit's cache mounts are kept).")]
        public bool NoCache { get; set; }
    }
}
