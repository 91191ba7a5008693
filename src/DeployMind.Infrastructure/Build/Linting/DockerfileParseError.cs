namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Why a Dockerfile could not be parsed, and where.</summary>
/// <param name="Line">1-based line the problem starts on.</param>
/// <param name="Message">What is wrong, in words a user can act on.</param>
/// <param name="Fix">What to write instead.</param>
internal sealed record DockerfileParseError(int Line, string Message, string Fix);
