using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind detect [PATH]</c>: what DeployMind sees in an app folder.</summary>
internal sealed class DetectCommand : AsyncCommand<AppPathSettings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public DetectCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, AppPathSettings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var detector = host.Services.GetRequiredService<ILanguageDetector>();
        var detection = await detector.DetectAsync(Path.GetFullPath(settings.Path), cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, detection);
        }
        else
        {
            _console.Write(Tables.Detection(detection));
        }

        return ExitCodes.Success;
    }
}
