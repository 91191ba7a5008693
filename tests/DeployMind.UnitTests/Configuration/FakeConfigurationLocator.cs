using DeployMind.Application.Configuration;

namespace DeployMind.UnitTests.Configuration;

/// <summary>A locator that knows the locations it is given (keys in either spelling, case-insensitive).</summary>
internal sealed class FakeConfigurationLocator : IConfigurationLocator
{
    private readonly Dictionary<string, ConfigurationLocation> _locations = new(StringComparer.OrdinalIgnoreCase);

    public FakeConfigurationLocator Add(string key, ConfigurationLocation location)
    {
        _locations[ConfigurationKey.Normalize(key)] = location;
        return this;
    }

    public ConfigurationLocation? Locate(string key) => _locations.GetValueOrDefault(ConfigurationKey.Normalize(key));

    public IReadOnlyList<WrittenKey> WrittenKeys() => [.. _locations.Select(l => new WrittenKey(l.Key, l.Value))];
}
