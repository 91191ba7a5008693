namespace DeployMind.Cli.Commands;

internal sealed class LintCommand : Spectre.Console.Cli.Command<CommonSettings>
{
    public override int Execute(Spectre.Console.Cli.CommandContext context, CommonSettings settings, CancellationToken cancellationToken) => 0;
}
