using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// Runs every command as the unprivileged user "nobody" (through runuser) when the tests run as root, and as the
/// current user otherwise: either way the commands run without root.
/// </summary>
internal sealed class UnprivilegedRunner : ICommandRunner
{
    public const string User = "nobody";

    private readonly LocalProcessRunner _inner;

    public UnprivilegedRunner(ILogger<LocalProcessRunner>? logger = null)
    {
        _inner = new LocalProcessRunner(logger ?? NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
    }

    public static bool TestsRunAsRoot => Environment.UserName == "root";

    public string Name => TestsRunAsRoot ? $"local as {User}" : "local";

    public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var run = TestsRunAsRoot
            ? new CommandSpec("runuser", ["-u", User, "--", command.Program, .. command.Arguments])
            {
                Environment = command.Environment,
                WorkingDirectory = command.WorkingDirectory,
                StandardInput = command.StandardInput,
                Secrets = command.Secrets,
            }
            : command;
        return _inner.RunAsync(run, onOutput, cancellationToken);
    }
}
