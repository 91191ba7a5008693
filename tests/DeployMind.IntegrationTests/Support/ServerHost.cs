using DeployMind.Application.Jobs;
using DeployMind.Cli.Hosting;
using DeployMind.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// The real server, composed as <c>deploymind serve</c> composes it, on 127.0.0.1 with a free port and a database of
/// its own. Settings are configuration keys ("server:webhookSecret"); workers are off unless the settings turn them on.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempFolder _folder;

    private ServerHost(WebApplication app, TempFolder folder, Uri baseUrl)
    {
        _app = app;
        _folder = folder;
        BaseUrl = baseUrl;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseUrl { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The database file the server records in.</summary>
    public string DatabasePath => Path.Combine(_folder.Path, "deploymind.db");

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <param name="settings">Configuration keys and values (highest precedence, for the server and for every job's host).</param>
    /// <param name="configure">More service registrations.</param>
    /// <param name="logs">Captures every log line.</param>
    /// <param name="machineConfig">A machine configuration file (e.g. <see cref="Repo.LocalBaseImagesConfig"/> for builds).</param>
    public static async Task<ServerHost> StartAsync(
        IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configure = null, ILoggerProvider? logs = null, string? machineConfig = null)
    {
        var folder = new TempFolder();
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["database:path"] = Path.Combine(folder.Path, "deploymind.db"),
            ["server:workers:enabled"] = "false",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        var hosts = new CliHostFactory(all, machineConfig, null);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = [] });
        hosts.Configure(builder, null, LogLevel.Warning);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter(_ => true);
        }

        builder.Services.AddSingleton<IJobRunner>(new CliJobRunner(hosts, null, false));
        configure?.Invoke(builder.Services);
        builder.AddDeployMindServer();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        hosts.Check(app.Services);
        app.MapDeployMind();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerHost(app, folder, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await _app.StopAsync(stop.Token);
        }

        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
