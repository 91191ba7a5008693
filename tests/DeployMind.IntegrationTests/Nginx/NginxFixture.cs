using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// A managed nginx in its own temp prefix for one test class, and three loopback backends: a and c always answer
/// 200, b answers 500 for a fifth of its requests. Everything is stopped and deleted on dispose.
/// </summary>
public sealed class NginxFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _prefix = Directory.CreateTempSubdirectory("dm-nginx-");

    public NginxFixture()
    {
        Options = new NginxOptions { Prefix = _prefix.FullName, ListenAddress = "127.0.0.1", WorkerProcesses = "2" };
        Router = CreateRouter();
    }

    public NginxOptions Options { get; }

    public string Prefix => _prefix.FullName;

    internal NginxTrafficRouter Router { get; }

    internal TestBackend A { get; } = new("a");

    internal TestBackend B { get; } = new("b", errorShare: 0.2);

    internal TestBackend C { get; } = new("c");

    /// <summary>Another router on the same prefix, as a new process would create.</summary>
    internal NginxTrafficRouter CreateRouter() =>
        new(new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System), Options, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);

    public async Task InitializeAsync() => await Router.EnsureRunningAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        try
        {
            await Router.StopAsync(CancellationToken.None);
        }
        finally
        {
            Router.Dispose();
            await A.DisposeAsync();
            await B.DisposeAsync();
            await C.DisposeAsync();
            _prefix.Delete(recursive: true);
        }
    }
}
