using DeployMind.Domain;

namespace DeployMind.Infrastructure.Processes;

/// <summary>A command exited with a non-zero code where success was required.</summary>
public sealed class CommandFailedException : DeployMindException
{
    public CommandFailedException(CommandResult result)
        : base(Describe(result))
    {
        Result = result;
    }

    public CommandResult Result { get; }

    private static string Describe(CommandResult result)
    {
        var tail = Tail(string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError, 10);
        return $"`{result.Command}` exited with code {result.ExitCode}" + (tail.Length > 0 ? $": {tail}" : ".");
    }

    internal static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines));
}
