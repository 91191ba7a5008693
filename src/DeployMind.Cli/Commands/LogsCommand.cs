using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>
/// <c>deploymind logs &lt;id&gt; [--follow]</c>: a deployment's log (stage reports, build output, deploy steps, health
/// checks). With --follow it keeps printing new lines until the deployment finishes, from any process watching the
/// same store. JSON output is one object per line.
/// </summary>
internal sealed class LogsCommand : AsyncCommand<LogsCommand.Settings>
{
    private const int Page = 500;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public LogsCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(null, settings.Config, settings.Verbose);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        var time = host.Services.GetRequiredService<TimeProvider>();
        var deployment = await store.FindAsync(settings.Id, cancellationToken);
        long after = 0;
        while (true)
        {
            // Read the state before the lines: a deployment seen finished has written its last line already.
            var finished = (await store.GetAsync(deployment.Id, cancellationToken))?.IsFinished ?? true;
            IReadOnlyList<LogLine> lines;
            do
            {
                lines = await store.ReadLogAsync(deployment.Id, after, Page, cancellationToken);
                foreach (var line in lines.Where(l => settings.Stage is null || string.Equals(l.Stage, settings.Stage, StringComparison.OrdinalIgnoreCase)))
                {
                    Print(line, settings.Json);
                }

                after = lines.Count > 0 ? lines[^1].Sequence : after;
            }
            while (lines.Count == Page);

            if (!settings.Follow || finished)
            {
                break;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }

        var last = await store.GetAsync(deployment.Id, cancellationToken) ?? deployment;
        if (settings.Follow && !settings.Json)
        {
            _console.MarkupLine($"deployment {Markup.Escape(last.ShortId())}: {DeploymentViews.StateMarkup(last)}{(last.Reason is { } reason && last.State != DeploymentState.Succeeded ? " — " + Markup.Escape(reason) : string.Empty)}");
        }

        return settings.Follow ? DeploymentViews.ExitCode(last) : ExitCodes.Success;
    }

    private void Print(LogLine line, bool json)
    {
        if (json)
        {
            _console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new { line.Sequence, line.At, line.Stage, line.Text }, Json.CompactOptions));
            return;
        }

        _console.MarkupLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[grey]{line.At.ToLocalTime():HH:mm:ss.fff}[/] [blue]{Markup.Escape(line.Stage),-8}[/] {Markup.Escape(line.Text)}"));
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The deployment's id, or its first characters as `deploymind list` shows them.")]
        public string Id { get; set; } = string.Empty;

        [CommandOption("-f|--follow")]
        [Description("Keep printing new lines until the deployment finishes; the exit code is then the deployment's.")]
        public bool Follow { get; set; }

        [CommandOption("--stage <STAGE>")]
        [Description("Only lines of one stage: pipeline, build, deploy.")]
        public string? Stage { get; set; }
    }
}
