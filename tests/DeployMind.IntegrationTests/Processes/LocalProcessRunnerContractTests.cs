using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>The runner contract on this machine: the program is started directly, with no shell in between.</summary>
public sealed class LocalProcessRunnerContractTests : CommandRunnerContract
{
    protected override RunnerCapabilities Capabilities { get; } = new(MissingProgram: StartFailureReport.Throws, MissingWorkingDirectory: StartFailureReport.Throws, CommandTimeout: false);

    protected override ICommandRunner CreateRunner(ILoggerFactory loggers, TimeSpan? commandTimeout) =>
        commandTimeout is null
            ? new LocalProcessRunner(loggers.CreateLogger<LocalProcessRunner>(), TimeProvider.System)
            : throw new NotSupportedException("LocalProcessRunner has no command timeout of its own.");
}
