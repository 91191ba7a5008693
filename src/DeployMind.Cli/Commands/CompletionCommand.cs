using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind completion bash|zsh|fish</c>: prints the shell's completion script (<see cref="ShellCompletion"/>).</summary>
internal sealed class CompletionCommand(IAnsiConsole console) : Command<CompletionCommand.Settings>
{
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // Written as it is: no markup, no wrapping.
        console.Profile.Out.Writer.Write(ShellCompletion.Script(settings.Shell));
        console.Profile.Out.Writer.Flush();
        return ExitCodes.Success;
    }

    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SHELL>")]
        [Description("bash, zsh or fish.")]
        public string Shell { get; set; } = string.Empty;

        public override ValidationResult Validate() =>
            ShellCompletion.Shells.Contains(Shell, StringComparer.Ordinal)
                ? ValidationResult.Success()
                : ValidationResult.Error($"No completion for the shell '{Shell}': use bash, zsh or fish.");
    }
}
