using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Nginx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(new NginxOptionsValidator().Validate(null, new NginxOptions()).Succeeded);
        Assert.True(new NginxOptionsValidator().Validate(null, new NginxOptions { Mode = NginxMode.ConfD }).Succeeded);
    }

    [Fact]
    public void Validate_BadValues_NamesEachKey()
    {
        var options = new NginxOptions
        {
            Binary = " ",
            Prefix = "relative/nginx",
            ListenAddress = "localhost",
            WorkerProcesses = "many",
            AccessLogDirectory = "/var/log/$host",
            UpstreamKeepalive = -1,
            AccessLogMaxBytes = 10,
            ReloadConfirmTimeout = "soon",
        };

        var result = new NginxOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "Binary", "Prefix", "ListenAddress", "WorkerProcesses", "AccessLogDirectory", "UpstreamKeepalive", "AccessLogMaxBytes", "ReloadConfirmTimeout" })
        {
            Assert.Contains($"nginx:{key}", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("50ms", false)]
    [InlineData("500ms", true)]
    [InlineData("5s", true)]
    [InlineData("10m", false)]
    public void Validate_ReloadConfirmTimeout_From100msTo5m(string value, bool valid)
    {
        var result = new NginxOptionsValidator().Validate(null, new NginxOptions { ReloadConfirmTimeout = value });

        Assert.Equal(valid, result.Succeeded);
    }

    [Fact]
    public void Validate_ConfDErrorLogPathWithQuote_NamesTheKey()
    {
        var result = new NginxOptionsValidator().Validate(null, new NginxOptions { Mode = NginxMode.ConfD, ErrorLogPath = "/var/log/\"x" });

        Assert.Contains("nginx:ErrorLogPath", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDeployMindInfrastructure_NginxSection_BindsOptions()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["nginx:Mode"] = "confd",
            ["nginx:ConfDirectory"] = "/etc/nginx/sites-enabled",
            ["nginx:ReloadCommand:0"] = "systemctl",
            ["nginx:ReloadCommand:1"] = "reload",
            ["nginx:ReloadCommand:2"] = "nginx",
        });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<NginxOptions>>().Value;

        Assert.Equal(NginxMode.ConfD, options.Mode);
        Assert.Equal("/etc/nginx/sites-enabled", options.ConfDirectory);
        Assert.Equal(["systemctl", "reload", "nginx"], options.ReloadCommand);
    }

    [Fact]
    public void AddDeployMindInfrastructure_BadNginxSetting_FailsValidationNamingTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["nginx:ListenAddress"] = "0.0.0.0:80" });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<NginxOptions>>().Value);

        Assert.Contains("nginx:ListenAddress '0.0.0.0:80'", error.Message, StringComparison.Ordinal);
    }
}
