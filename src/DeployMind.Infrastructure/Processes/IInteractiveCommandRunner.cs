namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// A runner that can also hand the user's terminal to a command (<c>deploymind app exec -it</c>): the command reads this
/// process's standard input and writes to its standard output and error directly, nothing is captured or logged.
/// </summary>
public interface IInteractiveCommandRunner
{
    /// <summary>
    /// Runs <paramref name="command"/> attached to this process's standard input, output and error; its exit code. With
    /// <paramref name="tty"/> a remote runner asks for a terminal on the host as well. Cancellation kills it.
    /// </summary>
    /// <exception cref="CommandStartException">The program (docker, or the ssh client for an SSH host) could not be started.</exception>
    Task<int> RunInteractiveAsync(CommandSpec command, bool tty, CancellationToken cancellationToken);
}
