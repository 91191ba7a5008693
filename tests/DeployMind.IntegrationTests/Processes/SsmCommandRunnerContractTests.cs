using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// The runner contract through AWS SSM: the real AWSSDK clients against the loopback fake (<see cref="FakeAws"/>), whose
/// instance is this machine. The instance's shell runs the command (start failures are its exit codes), the target's
/// command timeout is the runner's own (CancelCommand), and output arrives when the command has ended.
/// </summary>
public sealed class SsmCommandRunnerContractTests : CommandRunnerContract, IClassFixture<FakeAwsFixture>
{
    private readonly FakeAwsFixture _aws;

    public SsmCommandRunnerContractTests(FakeAwsFixture aws)
    {
        _aws = aws;
    }

    protected override RunnerCapabilities Capabilities { get; } = new(
        MissingProgram: StartFailureReport.ExitCode, MissingWorkingDirectory: StartFailureReport.ExitCode, CommandTimeout: true, LiveOutput: false);

    protected override ICommandRunner CreateRunner(ILoggerFactory loggers, TimeSpan? commandTimeout) =>
        _aws.Runner(loggers, FakeAwsFixture.Target(commandTimeout: commandTimeout));
}
