namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A comment line outside instructions (comments inside continuations are dropped, as Docker does).</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Text">The comment without its leading '#', trimmed.</param>
internal sealed record DockerComment(int Line, string Text);
