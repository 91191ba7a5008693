namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>One <c>KEY=value</c> pair of an ENV, ARG or LABEL instruction.</summary>
/// <param name="Key">The name.</param>
/// <param name="Value">The value with quotes removed; null when none was given (<c>ARG NAME</c>).</param>
internal sealed record DockerKeyValue(string Key, string? Value);
