using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// The runner contract over SSH, against the real sshd on 127.0.0.1:2222 (scripts/services/sshd.sh). The remote
/// login shell runs the command, so start failures are its exit codes; the target's command timeout is the runner's own.
/// </summary>
public sealed class SshCommandRunnerContractTests : CommandRunnerContract
{
    public SshCommandRunnerContractTests()
    {
        SshTestServer.EnsureRunning();
    }

    protected override RunnerCapabilities Capabilities { get; } = new(MissingProgram: StartFailureReport.ExitCode, MissingWorkingDirectory: StartFailureReport.ExitCode, CommandTimeout: true);

    protected override ICommandRunner CreateRunner(ILoggerFactory loggers, TimeSpan? commandTimeout) =>
        new SshCommandRunner(SshTestServer.Target with { CommandTimeout = commandTimeout }, loggers.CreateLogger<SshCommandRunner>(), TimeProvider.System);
}
