using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Configuration;
using DeployMind.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Hosting;

/// <summary>
/// One container per process: the composition every front door uses has no singleton that captures an app's settings
/// (checked by the container itself, scopes validated), and each job's scope reads its own app's deploymind.yml while
/// sharing the process's records, queue and locks.
/// </summary>
public sealed class OneContainerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deploymind-one-container-").FullName;

    private ConfigurationLayers Layers => new(null, null, null, new Dictionary<string, string?> { ["database:path"] = Path.Combine(_folder, "deploymind.db") });

    [Fact]
    public void The_cli_composition_has_no_singleton_that_captures_an_apps_settings()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, _folder, null, LogLevel.Warning);
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));

        using var host = builder.Build();
        using var scope = host.Services.CreateScope();
        Assert.NotNull(scope.ServiceProvider.GetRequiredService<DeployService>());
        Assert.NotNull(host.Services.GetRequiredService<IJobRunner>());
    }

    [Fact]
    public void The_server_composition_has_no_singleton_that_captures_an_apps_settings()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production", Args = [] });
        builder.AddDeployMind(Layers, null, null, LogLevel.Warning);
        builder.AddDeployMindServer();
        builder.Host.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });

        using var app = builder.Build();
        Assert.NotEmpty(app.Services.GetServices<IHostedService>());
    }

    [Fact]
    public void Each_jobs_scope_reads_its_own_apps_configuration_and_shares_the_process_singletons()
    {
        var shop = App("shop", "strategy: canary\n    healthCheck:\n      path: /ready", "build:\n  network: host\n");
        var blog = App("blog", "strategy: blue-green", string.Empty);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, null, null, LogLevel.Warning);
        using var host = builder.Build();
        var source = host.Services.GetRequiredService<IAppConfigurationSource>();

        using var first = Open(host.Services, source.Load(shop, null).Configuration);
        using var second = Open(host.Services, source.Load(blog, null).Configuration);
        var shopApp = first.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value;
        var blogApp = second.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value;

        Assert.Equal("shop", shopApp.App);
        Assert.Equal("canary", shopApp.Environment("production").Strategy);
        Assert.Equal("/ready", shopApp.Environment("production").HealthCheck.Path);
        Assert.Equal("host", first.ServiceProvider.GetRequiredService<IOptions<BuildOptions>>().Value.Network);
        Assert.Equal("blog", blogApp.App);
        Assert.Equal("blue-green", blogApp.Environment("production").Strategy);
        Assert.NotEqual("host", second.ServiceProvider.GetRequiredService<IOptions<BuildOptions>>().Value.Network);

        // The process's records, queue and locks are one each, whichever app a job deploys.
        Assert.Same(first.ServiceProvider.GetRequiredService<IDeploymentStore>(), second.ServiceProvider.GetRequiredService<IDeploymentStore>());
        Assert.Same(first.ServiceProvider.GetRequiredService<IJobQueue>(), second.ServiceProvider.GetRequiredService<IJobQueue>());
        Assert.Same(first.ServiceProvider.GetRequiredService<TargetLocks>(), host.Services.GetRequiredService<TargetLocks>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<DeployService>(), second.ServiceProvider.GetRequiredService<DeployService>());
    }

    [Fact]
    public void An_apps_configuration_is_layered_over_the_processs_own_file()
    {
        var process = Path.Combine(_folder, "server.yml");
        File.WriteAllText(process, "build:\n  network: host\nenvironments:\n  production:\n    strategy: canary\n");
        var app = App("shop", "healthCheck:\n      path: /ready", string.Empty);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, null, process, LogLevel.Warning);
        using var host = builder.Build();

        using var scope = Open(host.Services, host.Services.GetRequiredService<IAppConfigurationSource>().Load(app, null).Configuration);
        var options = scope.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value;

        // The server's file still applies where the app's says nothing; the app's wins where it does.
        Assert.Equal("canary", options.Environment("production").Strategy);
        Assert.Equal("/ready", options.Environment("production").HealthCheck.Path);
        Assert.Equal("host", scope.ServiceProvider.GetRequiredService<IOptions<BuildOptions>>().Value.Network);
    }

    [Fact]
    public void An_apps_unreadable_value_is_reported_with_where_it_is_written_and_read_as_its_default()
    {
        var app = App("shop", "healthCheck:\n      successes: soon", string.Empty);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, null, null, LogLevel.Warning);
        using var host = builder.Build();

        var loaded = host.Services.GetRequiredService<IAppConfigurationSource>().Load(app, null);

        var problem = Assert.Single(loaded.Problems);
        Assert.False(problem.IsWarning);
        Assert.Contains("soon", problem.ToString(), StringComparison.Ordinal);
        Assert.Contains("deploymind.yml:", problem.ToString(), StringComparison.Ordinal);

        // The rest of the settings can still be checked: the unreadable one reads as its default.
        using var scope = Open(host.Services, loaded.Configuration);
        Assert.Equal(new HealthCheckOptions().Successes, scope.ServiceProvider.GetRequiredService<IOptions<AppOptions>>().Value.Environment("production").HealthCheck.Successes);
    }

    [Fact]
    public void A_scope_takes_one_apps_configuration_only()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.AddDeployMind(Layers, null, null, LogLevel.Warning);
        using var host = builder.Build();
        var source = host.Services.GetRequiredService<IAppConfigurationSource>();
        using var scope = Open(host.Services, source.Load(App("shop", "strategy: canary", string.Empty), null).Configuration);

        Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<AppConfigurationScope>().Use(source.Load(_folder, null).Configuration));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static IServiceScope Open(IServiceProvider services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var scope = services.CreateScope();
        scope.ServiceProvider.GetRequiredService<AppConfigurationScope>().Use(configuration);
        return scope;
    }

    private string App(string name, string production, string rest)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "deploymind.yml"), $"app: {name}\nenvironments:\n  production:\n    {production}\n{rest}");
        return path;
    }
}
