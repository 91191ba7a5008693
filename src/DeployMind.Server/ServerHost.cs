using DeployMind.Application.Configuration;
using DeployMind.Application.Records;
using DeployMind.Application.Webhooks;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Configuration;

namespace DeployMind.Server;

/// <summary>How a server is started: by <c>deploymind serve</c>, by this project's own <c>Program</c>, or by tests.</summary>
public sealed record ServerStart
{
    /// <summary>The configuration's layers (machine, user files, overrides).</summary>
    public ConfigurationLayers Layers { get; init; } = ConfigurationLayers.Default;

    /// <summary>The server's own configuration file (<c>--config</c>); every job's app configuration is layered over it.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Where to listen (several separated by ';'); null: <c>server.urls</c>.</summary>
    public string? Urls { get; init; }

    /// <summary>Only queue jobs; workers run elsewhere.</summary>
    public bool NoWorkers { get; init; }

    /// <summary>On shutdown, how long jobs in flight may run before they are cancelled and handed back.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(120);

    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    /// <summary>Registrations made before the server's own (which use TryAdd), to replace them (tests), and logging changes.</summary>
    public Action<WebApplicationBuilder>? Customize { get; init; }
}

/// <summary>
/// Builds and starts the server from <see cref="ServerStart"/>: the same composition as every CLI command
/// (<see cref="Hosting.AddDeployMind"/>), the server's endpoints and its workers, checked configuration and a ready store.
/// </summary>
public static class ServerHost
{
    /// <summary>Builds the server, checks its configuration, makes its records ready and starts listening.</summary>
    /// <exception cref="InvalidConfigurationException">Settings whose values cannot be read (every one, with file:line:column).</exception>
    public static async Task<WebApplication> StartAsync(ServerStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = [] });
        builder.AddDeployMind(start.Layers, null, start.ConfigFile, start.MinimumLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = start.ShutdownTimeout);
        start.Customize?.Invoke(builder);
        builder.AddDeployMindServer();
        if (start.NoWorkers)
        {
            builder.Services.PostConfigure<ServerOptions>(o => o.Workers.Enabled = false);
        }

        var urls = start.Urls ?? builder.Configuration[$"{ServerOptions.SectionName}:urls"] ?? new ServerOptions().Urls;
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var app = builder.Build();
        try
        {
            var invalid = app.Services.GetRequiredService<ConfigurationChecker>().InvalidValues();
            if (invalid.Count > 0)
            {
                throw new InvalidConfigurationException(invalid);
            }

            app.MapDeployMind();
            await app.Services.GetRequiredService<IDeploymentStore>().EnsureReadyAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
