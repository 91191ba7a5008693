namespace DeployMind.Application.Configuration;

/// <summary>A key as written in a configuration file (a section, a value or a list item) and where it is.</summary>
/// <param name="Key">The configuration path, sections joined by ':' and list items by index ("environments:production:target:docker:hosts:0").</param>
/// <param name="Location">Where the key itself is written.</param>
public sealed record WrittenKey(string Key, ConfigurationLocation Location);
