using System.ComponentModel;
using DeployMind.Application.Agents;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind explain &lt;id&gt; [question]</c>: asks about a recorded deployment after the fact, answered from its records.</summary>
internal sealed class ExplainCommand : AsyncCommand<ExplainCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ExplainCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, settings.Config, settings.Verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var deployment = await store.FindAsync(settings.Id, cancellationToken);
        using var scope = host.Services.CreateScope();
        var answer = await scope.ServiceProvider.GetRequiredService<DeploymentExplainer>().ExplainAsync(deployment, settings.Question, cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, answer);
            return ExitCodes.Success;
        }

        var by = answer.Model == Application.Pipeline.StageExplanation.Rules ? "the records (rule-based: no model configured, see ai:)" : answer.Model;
        var text = $"[bold]{Markup.Escape(answer.Question)}[/]\n\n{Markup.Escape(answer.Answer)}"
            + string.Concat(answer.Recommendations.Select(r => $"\n[grey]→[/] {Markup.Escape(r)}"));
        _console.Write(new Panel(new Markup(text)).Header($"Deployment {Markup.Escape(deployment.ShortId())} explained by {Markup.Escape(by)}").Border(BoxBorder.Rounded).Expand());
        if (answer.Figures.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("[bold]Figures used[/]");
            table.AddColumn("Figure");
            foreach (var figure in answer.Figures)
            {
                table.AddRow(Markup.Escape(figure));
            }

            _console.Write(table);
        }

        if (answer.Problem is { } problem)
        {
            _console.MarkupLine($"[yellow]note:[/] {Markup.Escape(problem)}");
        }

        return ExitCodes.Success;
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The deployment's id, or its first characters as `deploymind list` shows them.")]
        public string Id { get; set; } = string.Empty;

        [CommandArgument(1, "[QUESTION]")]
        [Description("What to ask (quote it); by default why the deployment ended the way it did.")]
        public string? Question { get; set; }
    }
}
