using System.Security.Cryptography.X509Certificates;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Targets;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Domains;

/// <summary>
/// The real wiring with a managed nginx in a temp prefix whose domain sites listen on 127.0.0.1:<see cref="Pebble.HttpPort"/>
/// (HTTP, where pebble validates) and <see cref="Pebble.HttpsPort"/> (HTTPS), certificates from the loopback pebble, and
/// the go-stdlib example built once (releases differ by APP_VERSION).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DomainsFixture : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _tls = new();
    private readonly string _challenges = Path.Combine(Path.GetTempPath(), "dm-it-acme-" + Guid.NewGuid().ToString("N")[..8]);
    private IHost? _host;

    public string Image { get; private set; } = string.Empty;

    public string NginxPrefix => _prefix.Path;

    public string TlsDirectory => _tls.Path;

    public X509Certificate2 Root { get; private set; } = null!;

    public IServiceProvider Services => _host!.Services;

    public DeployHost LocalHost => Services.GetRequiredService<IDeployHostFactory>().Create(new Application.Configuration.HostOptions { Name = "local" });

    public HealthPolicy Health { get; } = new("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(30));

    public async Task InitializeAsync()
    {
        // nginx's workers (nobody, under a root master) read the challenge webroot: it must be open to them.
        Directory.CreateDirectory(_challenges, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        _host = CreateProcess();
        Root = await Pebble.IssuingRootAsync();
        using var source = Repo.CopyOf(Repo.Example("go-stdlib"));
        var builds = Services.GetRequiredService<Application.Build.BuildService>();
        var plan = await builds.PlanAsync(source.Path, "dm-it-domains-go:" + Guid.NewGuid().ToString("N")[..8], CancellationToken.None);
        var result = await builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
        Assert.True(result.Success, result.Error);
        Image = result.ImageTag;
    }

    /// <summary>
    /// Another DeployMind process on this machine with the same settings (its own routers, in-process gates and lock
    /// provider; the same nginx, certificate directories and deployment database, where the locks live), plus
    /// <paramref name="extra"/> settings. The caller disposes it.
    /// </summary>
    public IHost CreateProcess(IReadOnlyDictionary<string, string?>? extra = null) =>
        new CliHostFactory(Settings(extra), null, null).Create(null, Repo.LocalBaseImagesConfig, verbose: false);

    /// <summary>The settings of this fixture's processes (see <see cref="CreateProcess"/>), plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["nginx:domains:listenAddress"] = "127.0.0.1",
            ["nginx:domains:httpPort"] = Pebble.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["nginx:domains:httpsPort"] = Pebble.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["nginx:domains:tlsDirectory"] = _tls.Path,
            ["nginx:domains:challengeDirectory"] = _challenges,
            ["database:path"] = Path.Combine(_tls.Path, "..", Path.GetFileName(_tls.Path) + ".db"),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// A rolling deploy of <paramref name="app"/> at <paramref name="version"/> (APP_VERSION; the release id differs from it:
    /// the runner redacts variable values from output, so a container name holding one would come back masked), served at
    /// <paramref name="domains"/> over HTTPS from pebble.
    /// </summary>
    public DeployRequest Request(string app, string version, int port, params string[] domains) =>
        new(new ReleaseSpec(app, "r" + Guid.NewGuid().ToString("N")[..10], Image, null) { Environment = new Dictionary<string, string> { ["APP_VERSION"] = version } }, [LocalHost], port, Health)
        {
            Drain = TimeSpan.FromSeconds(1),
            Domains = domains,
            Tls = new SiteTls
            {
                Source = TlsSource.Acme,
                Acme = new AcmeAccount(Pebble.Directory, "ops@example.com") { CaBundle = Pebble.ListenerCaBundle },
                Hsts = TimeSpan.FromDays(1),
            },
        };

    /// <summary>Deploys through the Docker-hosts target, as the pipeline's deploy stage does (certificates first, then the strategy).</summary>
    public async Task<DeployOutcome> DeployAsync(DeployRequest request)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IEnumerable<IDeployTarget>>().OfType<DockerHostsTarget>().Single()
            .DeployAsync(request, StrategyKind.Rolling, NullDeployObserver.Instance, CancellationToken.None);
    }

    /// <summary>Removes the app's containers and its nginx site.</summary>
    public async Task CleanAsync(string app)
    {
        var host = LocalHost;
        foreach (var container in await host.Runtime.ListAsync(app, CancellationToken.None))
        {
            await host.Runtime.RemoveAsync(container.Name, CancellationToken.None);
        }

        await host.Router.RemoveAsync(app, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            var router = new NginxTrafficRouter(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System), new NginxOptions { Prefix = _prefix.Path }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
            await router.StopAsync(CancellationToken.None);
            router.Dispose();
            _host.Dispose();
        }

        Root?.Dispose();
        await Docker.RemoveImageAsync(Image);
        Dispose();
    }

    public void Dispose()
    {
        _prefix.Dispose();
        var database = Path.Combine(_tls.Path, "..", Path.GetFileName(_tls.Path) + ".db");
        _tls.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in new[] { database, database + "-wal", database + "-shm" })
        {
            File.Delete(file);
        }

        if (Directory.Exists(_challenges))
        {
            Directory.Delete(_challenges, recursive: true);
        }
    }
}
