using DeployMind.Application.Reporting;
using DeployMind.Infrastructure;
using DeployMind.Infrastructure.GitHub;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.GitHub;

public sealed class GitHubOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new GitHubOptions();

        Assert.True(new GitHubOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("https://api.github.com/", options.ApiUrl);
        Assert.Equal("GITHUB_TOKEN", options.TokenVariable);
        Assert.Equal("deploymind", options.StatusContext);
        Assert.True(options.Report);
    }

    [Theory]
    [InlineData("apiUrl", "github.apiUrl")]
    [InlineData("tokenVariable", "github.tokenVariable")]
    [InlineData("statusContext", "github.statusContext")]
    [InlineData("linkBase", "github.linkBase")]
    [InlineData("maxAttempts", "github.maxAttempts")]
    [InlineData("backoff", "github.backoff")]
    [InlineData("maxRateLimitWait", "github.maxRateLimitWait")]
    public void Validate_BadValue_NamesTheKey(string key, string expected)
    {
        var options = new GitHubOptions();
        switch (key)
        {
            case "apiUrl": options.ApiUrl = "api.github.com"; break;
            case "tokenVariable": options.TokenVariable = "ghp_not a variable"; break;
            case "statusContext": options.StatusContext = " "; break;
            case "linkBase": options.LinkBase = "deploy.example.com"; break;
            case "maxAttempts": options.MaxAttempts = 0; break;
            case "backoff": options.Backoff = "soon"; break;
            default: options.MaxRateLimitWait = "0s"; break;
        }

        var result = new GitHubOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected + ":", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MaxBackoffBelowBackoff_Fails()
    {
        var result = new GitHubOptionsValidator().Validate(null, new GitHubOptions { Backoff = "10s", MaxBackoff = "1s" });

        Assert.Contains("github.maxBackoff", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void AddDeployMindInfrastructure_GitHubSection_BindsOptionsAndRegistersTheReporter()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["github:apiUrl"] = "https://ghe.example.com/",
            ["github:tokenVariable"] = "DEPLOYMIND_UNSET_TOKEN_FOR_TESTS",
            ["github:linkBase"] = "https://deploy.example.com",
            ["github:maxAttempts"] = "2",
        });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var options = services.GetRequiredService<IOptions<GitHubOptions>>().Value;
        var reporter = Assert.IsType<DeploymentReporters>(services.GetRequiredService<IDeploymentReporter>()).Reporters[0];

        Assert.Equal("https://ghe.example.com/", options.ApiUrl);
        Assert.Equal(2, options.MaxAttempts);
        Assert.Equal("https://deploy.example.com", options.LinkBase);
        var github = Assert.IsType<GitHubReporter>(reporter);
        Assert.False(github.IsActive);
    }

    [Fact]
    public void AddDeployMindInfrastructure_BadGitHubSetting_FailsValidationNamingTheKey()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["github:backoff"] = "a while" });
        builder.AddDeployMindInfrastructure();
        using var services = builder.Services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<GitHubOptions>>().Value);

        Assert.Contains("github.backoff", ex.Message, StringComparison.Ordinal);
    }
}
