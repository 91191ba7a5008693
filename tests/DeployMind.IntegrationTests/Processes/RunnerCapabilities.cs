namespace DeployMind.IntegrationTests.Processes;

/// <summary>How a runner reports a command that could not start (missing program, missing working directory).</summary>
public enum StartFailureReport
{
    /// <summary>
    /// Throws <see cref="Infrastructure.Processes.CommandStartException"/> naming what is missing: the runner starts
    /// the program itself (<c>execve</c>) and sees the failure before anything runs.
    /// </summary>
    Throws,

    /// <summary>
    /// A non-zero exit code with a message naming what is missing on standard error: the runner hands the command to
    /// something else that starts it (a remote shell, which exits 127 for a missing program; runuser, which exits 1).
    /// </summary>
    ExitCode,
}

/// <summary>
/// Where a runner legitimately differs from the others. Each value is a statement the contract checks, both ways:
/// a runner declaring <c>CommandTimeout: false</c> is checked for never stopping a command by itself.
/// </summary>
/// <param name="MissingProgram">How a program that does not exist is reported.</param>
/// <param name="MissingWorkingDirectory">How a working directory that does not exist is reported.</param>
/// <param name="CommandTimeout">Whether the runner has a per-command deadline of its own (e.g. <c>SshTarget.CommandTimeout</c>).</param>
/// <param name="LiveOutput">
/// Whether output lines reach the callback while the command runs. AWS SSM returns a command's output only once it has
/// ended: its runner delivers every line then (standard output first), and the contract checks that instead, learning
/// what a running command does through files it writes rather than through its output.
/// </param>
public sealed record RunnerCapabilities(StartFailureReport MissingProgram, StartFailureReport MissingWorkingDirectory, bool CommandTimeout, bool LiveOutput = true);
