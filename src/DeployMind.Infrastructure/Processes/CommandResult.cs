namespace DeployMind.Infrastructure.Processes;

/// <summary>The outcome of a finished command; output is redacted.</summary>
/// <param name="Command">The command as displayed (redacted).</param>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="StandardOutput">All of standard output.</param>
/// <param name="StandardError">All of standard error.</param>
/// <param name="Duration">Wall time.</param>
public sealed record CommandResult(string Command, int ExitCode, string StandardOutput, string StandardError, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws <see cref="CommandFailedException"/> unless the command succeeded.</summary>
    public CommandResult EnsureSuccess()
    {
        return Succeeded ? this : throw new CommandFailedException(this);
    }
}
