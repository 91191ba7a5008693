using DeployMind.Cli.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.UnitTests.Cli;

/// <summary>Logger lines ("warn: DeployMind…[0]") never join a command's output unless --verbose asks for them.</summary>
public sealed class CliLoggingTests
{
    private const string Category = "DeployMind.Infrastructure.Docker.DockerBuilder";

    [Fact]
    public void Create_WithoutVerbose_HasNoLoggerOnTheConsole()
    {
        using var host = CliHostFactory.Isolated().Create(null, null, verbose: false);

        Assert.Empty(host.Services.GetServices<ILoggerProvider>());
        Assert.False(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category).IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public void Create_Verbose_LogsDebugToTheConsole()
    {
        using var host = CliHostFactory.Isolated().Create(null, null, verbose: true);

        Assert.NotEmpty(host.Services.GetServices<ILoggerProvider>());
        Assert.True(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category).IsEnabled(LogLevel.Debug));
    }

    [Fact]
    public void Create_WorkerWithoutVerbose_KeepsWarnings()
    {
        using var host = CliHostFactory.Isolated().Create(null, null, verbose: false, LogLevel.Warning);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);

        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.False(logger.IsEnabled(LogLevel.Information));
    }
}
