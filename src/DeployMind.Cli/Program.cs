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

return await DeployMindCli.RunAsync(args, AnsiConsole.Console, new CliHostFactory(), cancellation.Token);
