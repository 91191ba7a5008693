using DeployMind.Application;
using DeployMind.Application.Configuration;
using DeployMind.Infrastructure.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure;

/// <summary>
/// The whole composition of a DeployMind process — the CLI's host for a command, <c>deploymind serve</c>, the server's own
/// <c>Program.cs</c>, tests: the configuration's layers, logging, and the application's and infrastructure's registrations.
/// One container per process: each job reads its app's configuration through <see cref="IAppConfigurationSource"/> into
/// a DI scope of its own.
/// </summary>
public static class Hosting
{
    /// <summary>Configures <paramref name="builder"/> (its own configuration sources are replaced by the layers).</summary>
    /// <param name="builder">A host or web application builder.</param>
    /// <param name="layers">The process's configuration layers.</param>
    /// <param name="appPath">The app folder a command works on (its deploymind.yml is read when present), or null.</param>
    /// <param name="configFile">
    /// An explicit configuration file (<c>--config</c>): the app's, instead of its deploymind.yml, when there is an app; else
    /// the process's own (a server's or worker's), which every job's app configuration is then layered over.
    /// </param>
    /// <param name="minimumLevel">What is logged (to standard error); <see cref="LogLevel.None"/>: nothing, no console logger at all.</param>
    /// <param name="reset">Settings put back to their defaults, above every source (the <c>validate</c> command's second pass).</param>
    public static IHostApplicationBuilder AddDeployMind(
        this IHostApplicationBuilder builder, ConfigurationLayers layers, string? appPath, string? configFile, LogLevel minimumLevel, IReadOnlyDictionary<string, string?>? reset = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(layers);
        builder.Configuration.Sources.Clear();
        layers.AddTo(builder.Configuration, appPath, configFile, reset);

        builder.Logging.ClearProviders();
        if (minimumLevel == LogLevel.None)
        {
            // A CLI command without --verbose: its own output says what matters, no logger line joins it.
            builder.Logging.SetMinimumLevel(LogLevel.None);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.AddFilter(level => level >= minimumLevel);
            if (minimumLevel > LogLevel.Debug)
            {
                // ASP.NET Core's per-request information is noise at the server's default level.
                builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
            }
        }

        // Jobs read the process's file (a server's or worker's --config) under each app's own deploymind.yml.
        var jobLayers = appPath is null && configFile is not null ? layers with { ProcessFile = configFile } : layers;
        builder.Services.TryAddSingleton<IAppConfigurationSource>(sp => new LayeredAppConfigurationSource(jobLayers, sp.GetServices<BoundSection>()));
        builder.AddDeployMindApplication();
        builder.AddDeployMindInfrastructure();
        return builder;
    }
}
