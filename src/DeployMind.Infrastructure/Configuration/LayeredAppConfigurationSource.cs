using DeployMind.Application.Configuration;
using Microsoft.Extensions.Configuration;

namespace DeployMind.Infrastructure.Configuration;

/// <summary>
/// Reads an app's configuration from files: the process's <see cref="ConfigurationLayers"/> with the app's
/// <c>deploymind.yml</c> among them, checked like a command's: every value that cannot be read and every key no setting has, each with file:line:column.
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

    public LoadedAppConfiguration Load(string appPath, string? configFile)
    {
        ArgumentNullException.ThrowIfNull(appPath);
        var configuration = Build(appPath, configFile, reset: null);
        var locator = new ConfigurationLocator(configuration, Directory.GetCurrentDirectory());
        var checker = new ConfigurationChecker(configuration, locator, _sections);
        var invalid = checker.InvalidValues();
        IReadOnlyList<ConfigurationProblem> problems = [.. invalid, .. checker.UnknownKeys()];
        if (invalid.Count == 0)
        {
            return new LoadedAppConfiguration(configuration, locator, problems);
        }

        // Values that cannot be read go back to their defaults, so the rest of the settings can still be checked.
        var defaults = invalid.ToDictionary(p => p.Key, p => checker.DefaultOf(p.Key), StringComparer.OrdinalIgnoreCase);
        return new LoadedAppConfiguration(Build(appPath, configFile, defaults), locator, problems);
    }

    private IConfigurationRoot Build(string appPath, string? configFile, IReadOnlyDictionary<string, string?>? reset)
    {
        var builder = new ConfigurationBuilder();
        _layers.AddTo(builder, appPath, configFile, reset);
        return builder.Build();
    }
}
