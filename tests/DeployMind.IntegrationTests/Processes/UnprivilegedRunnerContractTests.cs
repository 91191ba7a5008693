using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Nginx;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// The runner contract through the test wrapper that runs commands as "nobody" (runuser) when the tests run as root:
/// a wrapper that rewrites the command must keep everything else of it.
/// </summary>
public sealed class UnprivilegedRunnerContractTests : CommandRunnerContract
{
    // As root, runuser starts the program (it reports a missing one: exit code 1 and its message); the working
    // directory is this process's to enter before runuser starts, so that failure is the local runner's.
    protected override RunnerCapabilities Capabilities { get; } = new(
        MissingProgram: UnprivilegedRunner.TestsRunAsRoot ? StartFailureReport.ExitCode : StartFailureReport.Throws,
        MissingWorkingDirectory: StartFailureReport.Throws,
        CommandTimeout: false);

    protected override ICommandRunner CreateRunner(ILoggerFactory loggers, TimeSpan? commandTimeout) =>
        commandTimeout is null
            ? new UnprivilegedRunner(loggers.CreateLogger<LocalProcessRunner>())
            : throw new NotSupportedException("UnprivilegedRunner has no command timeout of its own.");
}
