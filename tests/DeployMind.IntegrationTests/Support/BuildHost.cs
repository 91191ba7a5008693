using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.IntegrationTests.Support;

/// <summary>The real wiring (the CLI's), configured with the local base images.</summary>
internal sealed class BuildHost : IDisposable
{
    private readonly IHost _host;

    private readonly string? _config;

    /// <param name="builder">build.builder (auto, buildkit, classic); null for the configuration's (auto).</param>
    public BuildHost(string? builder = null)
    {
        var config = Repo.LocalBaseImagesConfig;
        if (builder is not null)
        {
            _config = config = Path.Combine(Path.GetTempPath(), $"dm-it-build-{builder}-{Guid.NewGuid():N}.yml");
            File.WriteAllText(config, File.ReadAllText(Repo.LocalBaseImagesConfig).Replace("build:\n", $"build:\n  builder: {builder}\n", StringComparison.Ordinal));
        }

        _host = CliHostFactory.Isolated().Create(appPath: null, configFile: config, verbose: false);
    }

    public BuildService Builds => _host.Services.GetRequiredService<BuildService>();

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public void Dispose()
    {
        _host.Dispose();
        if (_config is not null)
        {
            File.Delete(_config);
        }
    }
}
