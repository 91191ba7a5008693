using System.ComponentModel;
using System.Globalization;
using DeployMind.Application.Jobs;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind queue [--environment NAME] [--dead-letters]</c>: what waits, what runs, what failed for good.</summary>
internal sealed class QueueCommand : AsyncCommand<QueueCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public QueueCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, settings.Config, settings.Verbose);
        var queue = host.Services.GetRequiredService<IJobQueue>();
        var environments = settings.Environments is { Length: > 0 } given ? given : ["production"];
        var stats = new List<QueueStats>();
        foreach (var environment in environments)
        {
            stats.Add(await queue.StatsAsync(environment, cancellationToken));
        }

        var dead = new List<DeadLetter>();
        if (settings.DeadLetters)
        {
            foreach (var environment in environments)
            {
                dead.AddRange(await queue.DeadLettersAsync(environment, 50, cancellationToken));
            }
        }

        if (settings.Json)
        {
            Json.Write(_console, new { Queues = stats, DeadLetters = dead });
            return ExitCodes.Success;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Environment", "Waiting", "In flight", "Dead letters", "Oldest waiting");
        foreach (var s in stats)
        {
            table.AddRow(
                Markup.Escape(s.Environment),
                s.Waiting.ToString(CultureInfo.InvariantCulture),
                s.InFlight.ToString(CultureInfo.InvariantCulture),
                s.DeadLetters == 0 ? "0" : $"[red]{s.DeadLetters.ToString(CultureInfo.InvariantCulture)}[/]",
                s.OldestWaiting is { } age ? $"{age.TotalSeconds:F0}s" : "—");
        }

        _console.Write(table);
        if (dead.Count > 0)
        {
            var letters = new Table().Border(TableBorder.Rounded).Title("[bold]Dead letters[/]").AddColumns("Deployment", "Environment", "Deliveries", "At", "Last error");
            foreach (var d in dead)
            {
                letters.AddRow(
                    d.Job.Id.ToString(),
                    Markup.Escape(d.Job.Environment),
                    d.Deliveries.ToString(CultureInfo.InvariantCulture),
                    d.At.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    Markup.Escape(d.LastError));
            }

            _console.Write(letters);
        }

        return ExitCodes.Success;
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandOption("-e|--environment|--env <ENVIRONMENT>")]
        [Description("The queue(s) to show (repeatable; default production).")]
        public string[]? Environments { get; set; }

        [CommandOption("--dead-letters")]
        [Description("Also list the jobs that failed past the delivery limit, with their last error.")]
        public bool DeadLetters { get; set; }
    }
}
