using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using Spectre.Console;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C cancels cleanly (child processes are killed); a second one ends the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

// Piped or redirected output is not a screen: no 80-column wrapping in the middle of an id or a path (COLUMNS still wins).
var console = AnsiConsole.Console;
if (Console.IsOutputRedirected)
{
    console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0 ? columns : DeployMindCli.UnwrappedWidth;
}

return await DeployMindCli.RunAsync(args, console, new CliHostFactory(), cancellation.Token);
