using DeployMind.Application.Configuration;
using Microsoft.Extensions.Configuration;

namespace DeployMind.Infrastructure.Configuration;

/// <summary>
/// Reads an app's configuration from files: the process's <see cref="ConfigurationLayers"/> with the app's
/// <c>deploymind.yml</c> among them, checked like a command's (every value that cannot be read, with file:line:column).
/// </summary>
internal sealed class LayeredAppConfigurationSource : IAppConfigurationSource
{
    private readonly ConfigurationLayers _layers;
    private readonly IReadOnlyList<BoundSection> _sections;

    public LayeredAppConfigurationSource(ConfigurationLayers layers, IEnumerable<BoundSection> sections)
    {
        _layers = layers;
        _sections = [.. sections];
    }

    public IConfiguration Load(string appPath, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(appPath);
        var builder = new ConfigurationBuilder();
        _layers.AddTo(builder, appPath, configFile);
        var configuration = builder.Build();
        var invalid = new ConfigurationChecker(configuration, new ConfigurationLocator(configuration, Directory.GetCurrentDirectory()), _sections).InvalidValues();
        return invalid.Count > 0 ? throw new InvalidConfigurationException(invalid) : configuration;
    }
}
