namespace DeployMind.Application.Configuration;

/// <summary>An options class bound to a configuration section ("" for the top level): what the configuration check knows as settings.</summary>
/// <param name="Path">The section's configuration path ("build", "nginx", "" for the top level).</param>
/// <param name="OptionsType">The options class its keys bind to.</param>
/// <param name="PerApp">Bound per app (from the app's deploymind.yml in a job's scope) rather than once per process.</param>
public sealed record BoundSection(string Path, Type OptionsType, bool PerApp = false);
