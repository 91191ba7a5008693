using System.ComponentModel;
using DeployMind.Application.Security;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind scan [PATH]</c>: committed secrets and risky configuration, as the pipeline's gate sees them.</summary>
internal sealed class ScanCommand : AsyncCommand<ScanCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public ScanCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var result = await host.Services.GetRequiredService<ScanService>().ScanAsync(Path.GetFullPath(settings.Path), settings.BlockAt, cancellationToken);
        switch (settings.Format ?? (settings.Json ? "json" : "table"))
        {
            case "sarif":
                _console.Profile.Out.Writer.WriteLine(SecurityReportWriter.ToSarif(result.Report));
                break;
            case "json":
                _console.Profile.Out.Writer.WriteLine(SecurityReportWriter.ToJson(result.Report));
                break;
            default:
                if (result.Report.Findings.Count > 0)
                {
                    _console.Write(Tables.SecurityFindings(result.Report.Findings));
                }

                _console.MarkupLine(result.Blocks ? $"[red]{Markup.Escape(result.Summary)}[/]" : $"[green]{Markup.Escape(result.Summary)}[/]");
                break;
        }

        return result.Blocks ? ExitCodes.ScanBlocked : ExitCodes.Success;
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-f|--format <FORMAT>")]
        [Description("table (default), json or sarif.")]
        public string? Format { get; set; }

        [CommandOption("--block <SEVERITY>")]
        [Description("Lowest severity that blocks (exit code 7): critical, high (default), medium, low, info.")]
        [DefaultValue("high")]
        public string Block { get; set; } = "high";

        public Severity BlockAt => Enum.Parse<Severity>(Block, ignoreCase: true);

        public override ValidationResult Validate()
        {
            if (Format is not null and not "table" and not "json" and not "sarif")
            {
                return ValidationResult.Error($"--format '{Format}' is not table, json or sarif.");
            }

            return Enum.TryParse<Severity>(Block, ignoreCase: true, out _)
                ? base.Validate()
                : ValidationResult.Error($"--block '{Block}' is not a severity: use critical, high, medium, low or info.");
        }
    }
}
