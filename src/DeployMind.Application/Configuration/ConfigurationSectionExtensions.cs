using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Configuration;

/// <summary>Binding options to a configuration section and recording it, so the configuration check knows every setting.</summary>
public static class ConfigurationSectionExtensions
{
    /// <summary>
    /// <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>, and a <see cref="BoundSection"/> so <see cref="ConfigurationChecker"/>
    /// can tell a misspelt key or an unconvertible value in the files. Chain validation as usual.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="sectionPath">The section ("build"), or "" for the top level.</param>
    public static OptionsBuilder<TOptions> AddConfigurationSection<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sectionPath);
        services.AddSingleton(new BoundSection(sectionPath, typeof(TOptions)));
        return services.AddOptions<TOptions>().BindConfiguration(sectionPath);
    }
}
