using System.ComponentModel;
using System.Diagnostics;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// Starts a program on this machine with this process's standard input, output and error (nothing redirected), so a
/// terminal stays a terminal for it: what <c>docker exec -it</c> and <c>ssh -t</c> need, and what CliWrap cannot give.
/// </summary>
internal static class InheritedProcess
{
    /// <summary>Runs <paramref name="command"/> to its end and returns its exit code; cancellation kills it (and its children).</summary>
    public static async Task<int> RunAsync(CommandSpec command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        if (command.StandardInput is not null)
        {
            throw new ArgumentException("An interactive command reads the terminal; it takes no StandardInput.", nameof(command));
        }

        var start = new ProcessStartInfo(command.Program) { UseShellExecute = false };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        if (command.WorkingDirectory is not null)
        {
            start.WorkingDirectory = command.WorkingDirectory;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CommandStartException($"Could not start `{command}`.", new InvalidOperationException("no process"));
        }
        catch (Win32Exception ex)
        {
            throw new CommandStartException($"Could not start `{command}`: {ex.Message}. Is {command.Program} installed and on PATH?", ex);
        }

        using (process)
        {
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }

                throw;
            }

            return process.ExitCode;
        }
    }
}
