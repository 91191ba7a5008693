using System.Net.Http.Headers;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Cli.Hosting;
using DeployMind.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// The real server (<c>deploymind serve</c>'s composition: a slim web host configured by <see cref="CliHostFactory"/>,
/// <c>AddDeployMindServer</c>, <c>MapDeployMind</c>) on 127.0.0.1 at a free port, with a database file of its own and no
/// workers (<c>server.workers.enabled=false</c>), so jobs stay in the queue for the test to look at. Every log message
/// is kept in <see cref="Logs"/> instead of the console.
/// </summary>
internal sealed class DeployMindServerFixture : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempFolder _folder;
    private readonly CapturingLoggerProvider _logs;
    private readonly List<HttpClient> _clients = [];
    private HttpClient? _client;

    private DeployMindServerFixture(WebApplication app, TempFolder folder, CapturingLoggerProvider logs, Uri baseUrl)
    {
        _app = app;
        _folder = folder;
        _logs = logs;
        BaseUrl = baseUrl;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The SQLite file the server records in (a CLI host given <c>database:path</c> = this shares it).</summary>
    public string DatabasePath => Path.Combine(_folder.Path, "deploymind.db");

    /// <summary>The server's services (the store, the queue, the tokens...).</summary>
    public IServiceProvider Services => _app.Services;

    public IDeploymentStore Store => Services.GetRequiredService<IDeploymentStore>();

    public IJobQueue Queue => Services.GetRequiredService<IJobQueue>();

    /// <summary>A client without a token (webhooks, health, metrics).</summary>
    public HttpClient Client => _client ??= CreateClient();

    /// <summary>One of the server's services.</summary>
    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Everything the server logged so far.</summary>
    public string Logs => _logs.Text;

    /// <summary>Starts a server.</summary>
    /// <param name="settings">More settings, keyed like configuration paths ("queue:provider"); they win over the defaults here.</param>
    /// <param name="services">Registrations made before the server's own (which use TryAdd), to replace them.</param>
    /// <param name="minimumLevel">What is logged (Trace: everything ASP.NET Core and EF Core say).</param>
    /// <param name="machineConfig">A machine configuration file, e.g. <see cref="Repo.LocalBaseImagesConfig"/> when its workers build.</param>
    public static async Task<DeployMindServerFixture> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, LogLevel minimumLevel = LogLevel.Information, string? machineConfig = null)
    {
        var folder = new TempFolder();
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["database:path"] = Path.Combine(folder.Path, "deploymind.db"),
            ["server:workers:enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var logs = new CapturingLoggerProvider();
        var hosts = new CliHostFactory(overrides, machineConfig, null);
        WebApplication app;
        try
        {
            // The same start as `deploymind serve` and the server's own Program (its workers use the job runner every process registers).
            app = await ServerHost.StartAsync(
                new ServerStart
                {
                    Layers = hosts.Layers,
                    Urls = "http://127.0.0.1:0",
                    MinimumLevel = minimumLevel,
                    Customize = builder =>
                    {
                        builder.Logging.ClearProviders();
                        builder.Logging.AddProvider(logs);
                        services?.Invoke(builder.Services);
                    },
                },
                CancellationToken.None);
        }
        catch
        {
            folder.Dispose();
            throw;
        }

        return new DeployMindServerFixture(app, folder, logs, new Uri(app.Urls.First().TrimEnd('/') + "/"));
    }

    /// <summary>Creates an API token called <paramref name="name"/> and returns it.</summary>
    public Task<string> CreateTokenAsync(string name = "ci") => Services.GetRequiredService<IApiTokens>().CreateAsync(name, CancellationToken.None);

    /// <summary>A client of the server, sending <paramref name="token"/> as a bearer token when given; disposed with the server.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>Stops the server (requests in flight get a few seconds).</summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }
}
