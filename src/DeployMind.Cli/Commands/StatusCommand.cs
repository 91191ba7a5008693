using System.ComponentModel;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind status &lt;id&gt;</c>: a recorded deployment's status panel, timeline and findings.</summary>
internal sealed class StatusCommand : AsyncCommand<StatusCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public StatusCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, settings.Config, settings.Verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var now = host.Services.GetRequiredService<TimeProvider>().GetUtcNow();

        // A deployment whose process is gone is not "still running": it is ended (failed, interrupted) before it is shown.
        await host.Services.GetRequiredService<InterruptedDeployments>().ReconcileAsync(cancellationToken);
        var deployment = await store.FindAsync(settings.Id, cancellationToken);
        var findings = await store.GetFindingsAsync(deployment.Id, cancellationToken);
        var explanations = await store.GetExplanationsAsync(deployment.Id, cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, new { Deployment = DeploymentView.Of(deployment, now), Findings = findings, Explanations = explanations });
            return DeploymentViews.ExitCode(deployment);
        }

        _console.Write(DeploymentViews.StatusPanel(deployment, now));
        _console.Write(DeploymentViews.Timeline(deployment));
        if (explanations.Count > 0)
        {
            _console.Write(DeploymentViews.Explanations(explanations));
        }

        if (findings.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title($"[bold]Findings[/] ({findings.Count(f => f.Blocking)} blocking)");
            table.AddColumns("Source", "File", "Line", "Rule", "Severity", "Finding (redacted)");
            foreach (var f in findings)
            {
                table.AddRow(
                    Markup.Escape(f.Source),
                    Markup.Escape(f.File),
                    f.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape($"{f.RuleId} {f.Title}"),
                    Tables.SeverityMarkup(f.Severity) + (f.Blocking ? " [red](blocking)[/]" : string.Empty),
                    Markup.Escape(f.RedactedExcerpt));
            }

            _console.Write(table);
        }

        return DeploymentViews.ExitCode(deployment);
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The deployment's id, or its first characters as `deploymind list` shows them.")]
        public string Id { get; set; } = string.Empty;
    }
}
