namespace DeployMind.Infrastructure.Processes;

/// <summary>Which stream a line came from.</summary>
public enum OutputChannel
{
    StandardOutput,
    StandardError,
}

/// <summary>One line of a command's output, secrets redacted.</summary>
public sealed record OutputLine(OutputChannel Stream, string Text);
