using DeployMind.Application.Security;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Security;

public sealed class TrivyOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var options = new TrivyOptions();

        Assert.True(new TrivyOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(options.Enabled);
        Assert.Equal("trivy", options.Path);
        Assert.Equal("5m", options.Timeout);
        Assert.Equal("vuln", options.Scanners);
        Assert.Empty(options.ExtraArgs);
    }

    [Fact]
    public void Validate_BadValues_NamesEachKey()
    {
        var options = new TrivyOptions { Path = " ", Timeout = "soon", Scanners = "vuln,license", ExtraArgs = ["--offline-scan", ""] };

        var result = new TrivyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        foreach (var key in new[] { "security.trivy.path", "security.trivy.timeout", "security.trivy.scanners", "security.trivy.extraArgs" })
        {
            Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("")]
    public void Validate_ZeroOrEmptyTimeout_Fails(string timeout)
    {
        Assert.True(new TrivyOptionsValidator().Validate(null, new TrivyOptions { Timeout = timeout }).Failed);
    }

    [Theory]
    [InlineData("--format", "table")]
    [InlineData("--format=sarif")]
    [InlineData("-o", "out.json")]
    [InlineData("--output=out.json")]
    [InlineData("--scanners", "vuln,secret")]
    public void Validate_ExtraArgsThatChangeTheOutputOrScanners_Fail(params string[] extra)
    {
        var result = new TrivyOptionsValidator().Validate(null, new TrivyOptions { ExtraArgs = extra });

        Assert.True(result.Failed);
        Assert.Contains($"'{extra[0]}'", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDeployMindInfrastructure_SecurityTrivySection_BindsOptionsAndRegistersTheScanner()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["security:trivy:enabled"] = "false",
            ["security:trivy:path"] = "/opt/trivy/bin/trivy",
            ["security:trivy:timeout"] = "90s",
            ["security:trivy:scanners"] = "vuln,secret",
            ["security:trivy:extraArgs:0"] = "--offline-scan",
            ["security:trivy:extraArgs:1"] = "--skip-db-update",
        });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<TrivyOptions>>().Value;

        Assert.False(options.Enabled);
        Assert.Equal("/opt/trivy/bin/trivy", options.Path);
        Assert.Equal("90s", options.Timeout);
        Assert.Equal("vuln,secret", options.Scanners);
        Assert.Equal(["--offline-scan", "--skip-db-update"], options.ExtraArgs);
        Assert.IsType<TrivyImageScanner>(services.GetRequiredService<IImageScanner>());
    }

    [Fact]
    public void AddDeployMindInfrastructure_BadTimeout_FailsValidationNamingTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["security:trivy:timeout"] = "five minutes" });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<TrivyOptions>>().Value);

        Assert.Contains("security.trivy.timeout", ex.Message, StringComparison.Ordinal);
    }
}
