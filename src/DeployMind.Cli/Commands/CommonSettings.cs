using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary>How a command prints its result.</summary>
public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>Options every command takes.</summary>
public class CommonSettings : CommandSettings
{
    [CommandOption("-o|--output <FORMAT>")]
    [Description("Output format: table (default) or json.")]
    [DefaultValue(OutputFormat.Table)]
    public OutputFormat Output { get; set; } = OutputFormat.Table;

    [CommandOption("-c|--config <FILE>")]
    [Description("Configuration file to use instead of the app's deploymind.yml.")]
    public string? Config { get; set; }

    [CommandOption("-v|--verbose")]
    [Description("Log debug output (commands run, timings) to standard error.")]
    public bool Verbose { get; set; }

    public bool Json => Output == OutputFormat.Json;
}

/// <summary>Options of commands that work on an app folder.</summary>
public class AppPathSettings : CommonSettings
{
    [CommandArgument(0, "[PATH]")]
    [Description("The application folder (in a monorepo, the app's sub-folder). Default: the current folder.")]
    public string Path { get; set; } = ".";

    public override ValidationResult Validate() =>
        DeployMindCli.FolderExists(Path)
            ? ValidationResult.Success()
            : ValidationResult.Error($"The application folder '{System.IO.Path.GetFullPath(Path)}' does not exist.");
}
