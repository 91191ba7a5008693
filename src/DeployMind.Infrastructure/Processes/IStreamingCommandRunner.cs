namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// A runner that can also feed a command bytes as they are produced and hand its standard output on as bytes: an image
/// archive (<c>docker save</c> into <c>docker load</c>) is too large to hold as text and is not text. Standard error is
/// still captured, redacted, in the result.
/// </summary>
public interface IStreamingCommandRunner : ICommandRunner
{
    /// <summary>
    /// Runs <paramref name="command"/> (whose <see cref="CommandSpec.StandardInput"/> must be null): <paramref name="writeInput"/>
    /// writes its standard input (closed, EOF, when it returns); <paramref name="readOutput"/> reads its standard output.
    /// Either may be null. A failure of <paramref name="writeInput"/> stops the command and is rethrown; a command that stops
    /// reading early ends the write quietly and reports its own exit code. Cancellation stops both, as for
    /// <see cref="ICommandRunner.RunAsync"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">This runner cannot hand on standard output as bytes (only input streams over SSH).</exception>
    Task<CommandResult> RunStreamingAsync(
        CommandSpec command,
        Func<Stream, CancellationToken, Task>? writeInput,
        Func<Stream, CancellationToken, Task>? readOutput,
        CancellationToken cancellationToken);
}
