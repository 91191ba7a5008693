using System.ComponentModel;
using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind init [PATH]</c>: writes Dockerfile, .dockerignore and deploymind.yml when missing.</summary>
internal sealed class InitCommand : AsyncCommand<InitCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public InitCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var host = _hosts.Create(settings.Path, settings.Config, settings.Verbose);
        var result = await host.Services.GetRequiredService<InitService>().InitAsync(settings.Path, settings.Force, new InitChoices(settings.Port, settings.Strategy), cancellationToken);
        if (settings.Json)
        {
            Json.Write(_console, result);
            return ExitCodes.Success;
        }

        _console.Write(Tables.Detection(result.Detection));
        foreach (var file in result.Files)
        {
            var what = file.Action switch
            {
                InitFileAction.Created => "[green]created[/]",
                InitFileAction.Overwritten => "[yellow]overwritten[/] (--force)",
                _ => file.Name == "Dockerfile" ? "[grey]kept[/] (exists; --force regenerates it)" : "[grey]kept[/] (exists)",
            };
            _console.MarkupLine($"  {Markup.Escape(file.Name),-16} {what}");
        }

        return ExitCodes.Success;
    }

    internal sealed class Settings : AppPathSettings
    {
        [CommandOption("-f|--force")]
        [Description("Overwrite an existing Dockerfile and .dockerignore with generated ones.")]
        public bool Force { get; set; }

        [CommandOption("-p|--port <PORT>")]
        [Description("The port nginx serves the app on, written to the starter deploymind.yml (target.docker.port). Not the app's own port: the app listens on the port it is given in $PORT. Default: 8080.")]
        [DefaultValue(8080)]
        public int Port { get; set; } = 8080;

        [CommandOption("-s|--strategy <STRATEGY>")]
        [Description("The starter deploymind.yml's strategy: rolling (default), canary or blue-green.")]
        [DefaultValue("rolling")]
        public string Strategy { get; set; } = "rolling";
    }
}
