using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeployMind.IntegrationTests.Support;

/// <summary>The real wiring (the CLI's), configured with the local base images.</summary>
internal sealed class BuildHost : IDisposable
{
    private readonly IHost _host;

    public BuildHost()
    {
        _host = CliHostFactory.Isolated().Create(appPath: null, configFile: Repo.LocalBaseImagesConfig, verbose: false);
    }

    public BuildService Builds => _host.Services.GetRequiredService<BuildService>();

    public T Get<T>()
        where T : notnull => _host.Services.GetRequiredService<T>();

    public void Dispose() => _host.Dispose();
}
