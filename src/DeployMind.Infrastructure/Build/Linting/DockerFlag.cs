namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>A leading <c>--name=value</c> flag of an instruction, e.g. <c>--from=build</c> or <c>--mount=type=cache,target=/root/.npm</c>.</summary>
/// <param name="Name">The flag's name without dashes, lower-cased ("from", "chown", "mount").</param>
/// <param name="Value">What follows the '=' (empty for a bare flag such as <c>--link</c>).</param>
internal sealed record DockerFlag(string Name, string Value);
