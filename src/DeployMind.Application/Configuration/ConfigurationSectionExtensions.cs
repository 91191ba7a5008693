using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Configuration;

/// <summary>Binding options to a configuration section and recording it, so the configuration check knows every setting.</summary>
public static class ConfigurationSectionExtensions
{
    /// <summary>
    /// A process setting (database, queue, server, GitHub): <c>AddOptions&lt;T&gt;().BindConfiguration(section)</c>, and a
    /// <see cref="BoundSection"/> so <see cref="ConfigurationChecker"/> can tell a misspelt key or an unconvertible value in
    /// the files. Chain validation as usual.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="sectionPath">The section ("queue"), or "" for the top level.</param>
    public static OptionsBuilder<TOptions> AddConfigurationSection<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sectionPath);
        services.AddSingleton(new BoundSection(sectionPath, typeof(TOptions)));
        return services.AddOptions<TOptions>().BindConfiguration(sectionPath);
    }

    /// <summary>
    /// An app setting (what an app's <c>deploymind.yml</c> decides: environments, build, pipeline, scan, nginx): bound per DI
    /// scope from that scope's <see cref="AppConfigurationScope"/>, so <c>IOptions&lt;T&gt;</c> is scoped and whatever
    /// reads it must be too. Outside a job's scope (a CLI command, the root) it is the process's configuration, as before.
    /// Validation, <c>Configure</c> and <c>PostConfigure</c> chained on the result apply in every scope.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="sectionPath">The section ("build"), or "" for the top level.</param>
    public static OptionsBuilder<TOptions> AddAppConfigurationSection<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sectionPath);
        services.AddSingleton(new BoundSection(sectionPath, typeof(TOptions), PerApp: true));
        services.TryAddScoped<AppConfigurationScope>();
        var builder = services.AddOptions<TOptions>();
        services.AddScoped<IConfigureOptions<TOptions>>(sp => new AppSectionBinding<TOptions>(sp.GetRequiredService<AppConfigurationScope>(), sectionPath));

        // One value per scope (the default IOptions<T> is a process-wide singleton).
        services.Replace(ServiceDescriptor.Scoped<IOptions<TOptions>>(sp => Options.Create(sp.GetRequiredService<IOptionsFactory<TOptions>>().Create(Options.DefaultName))));
        return builder;
    }

    /// <summary>Binds the section of the scope's configuration (the app's, else the process's).</summary>
    private sealed class AppSectionBinding<TOptions>(AppConfigurationScope scope, string sectionPath) : IConfigureOptions<TOptions>
        where TOptions : class
    {
        public void Configure(TOptions options)
        {
            var configuration = scope.Configuration;
            (sectionPath.Length == 0 ? configuration : configuration.GetSection(sectionPath)).Bind(options);
        }
    }
}
