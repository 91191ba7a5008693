namespace DeployMind.Infrastructure.Processes;

/// <summary>Executes <see cref="CommandSpec"/>s: on this machine, over SSH, or through AWS SSM.</summary>
public interface ICommandRunner
{
    /// <summary>A short name for logs and errors, e.g. "local" or "ssh deploy@web-1".</summary>
    string Name { get; }

    /// <summary>
    /// Runs the command to completion. Output is streamed line by line to <paramref name="onOutput"/> as it
    /// arrives (secrets already redacted) and also captured in the result. A non-zero exit code is a result,
    /// not an exception; cancellation kills the process (and its children) and throws
    /// <see cref="OperationCanceledException"/>; a token cancelled already starts nothing. Every implementation is
    /// held to this by the contract tests (tests/DeployMind.IntegrationTests/Processes/CommandRunnerContract.cs).
    /// </summary>
    /// <exception cref="CommandStartException">
    /// The program could not be started (not found, not executable, no such working directory) by a runner that starts
    /// it itself. A runner that hands the line to a remote shell (SSH) reports what that shell does instead: a
    /// non-zero exit code (127 for a missing program) with its message on standard error.
    /// </exception>
    Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken);
}
