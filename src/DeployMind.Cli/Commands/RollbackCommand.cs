using System.ComponentModel;
using DeployMind.Application.Deploy;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind rollback [PATH]</c>: back to the previous release kept on the hosts (no build, no analysis).</summary>
internal sealed class RollbackCommand : AsyncCommand<RollbackCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public RollbackCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var service = host.Services.GetRequiredService<DeployService>();
        var command = new Application.Deploy.DeployCommand(settings.Path) { Environment = settings.Environment, Host = settings.Host, Port = settings.Port };
        var (release, outcome) = await service.RollbackAsync(command, new ConsoleDeployObserver(_console, settings.Json), cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, new { Release = release.ReleaseId, release.Image, outcome });
        }
        else if (outcome.Status == DeployStatus.Succeeded)
        {
            _console.MarkupLine($"[green]Rolled back to {Markup.Escape(release.ReleaseId)}[/] ({Markup.Escape(release.Image)}) in {outcome.Duration.TotalSeconds:F1}s.");
        }
        else
        {
            _console.MarkupLine($"[red]Rollback to {Markup.Escape(release.ReleaseId)} failed[/]; the current release keeps serving. {Markup.Escape(outcome.Reason ?? string.Empty)}");
        }

        return outcome.Status == DeployStatus.Succeeded ? ExitCodes.Success : ExitCodes.DeployFailed;
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-e|--env <ENVIRONMENT>")]
        [Description("The environment in deploymind.yml (default production).")]
        public string Environment { get; set; } = "production";

        [CommandOption("--host <HOST>")]
        [Description("local or ssh://user@host:port, instead of the environment's hosts.")]
        public string? Host { get; set; }

        [CommandOption("-p|--port <PORT>")]
        [Description("The port nginx serves the app on (default: the environment's, else 8080).")]
        public int? Port { get; set; }
    }
}
