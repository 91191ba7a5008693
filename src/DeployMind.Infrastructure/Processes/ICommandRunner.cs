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
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    /// <exception cref="CommandStartException">The program could not be started (not found, not executable).</exception>
    Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken);
}
