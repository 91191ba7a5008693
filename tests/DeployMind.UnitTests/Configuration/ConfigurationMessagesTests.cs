using DeployMind.Application.Configuration;

namespace DeployMind.UnitTests.Configuration;

public sealed class ConfigurationMessagesTests
{
    [Theory]
    [InlineData("environments.production.strategy: 'canery' is not a strategy.", "environments.production.strategy")]
    [InlineData("environments.staging.canary.steps [50, 10] must rise from 1 to 100.", "environments.staging.canary.steps")]
    [InlineData("environments.production.target.docker.hosts[0].ssh: Host web-1: ...", "environments.production.target.docker.hosts[0].ssh")]
    [InlineData("nginx:ListenAddress 'x' must be an IPv4 address.", "nginx:ListenAddress")]
    [InlineData("environments.eu-west_1.healthCheck.interval, timeout and deadline must be positive.", "environments.eu-west_1.healthCheck.interval")]
    public void Leading_MessageStartingWithAKey_IsThatKey(string message, string key) =>
        Assert.Equal(key, ConfigurationKey.Leading(message));

    [Theory]
    [InlineData("The image shop:1 is not on host web-1.")]
    [InlineData("--strategy: 'x' is not a strategy.")]
    [InlineData("")]
    public void Leading_SentenceOrFlag_IsNone(string message) => Assert.Null(ConfigurationKey.Leading(message));

    [Theory]
    [InlineData("environments.production.target.docker.hosts[0].ssh", "environments:production:target:docker:hosts:0:ssh")]
    [InlineData("environments.production.target.docker.hosts.0.ssh", "environments:production:target:docker:hosts:0:ssh")]
    [InlineData("nginx:ListenAddress", "nginx:ListenAddress")]
    public void Normalize_AnySpelling_IsTheConfigurationPath(string key, string path) => Assert.Equal(path, ConfigurationKey.Normalize(key));

    [Fact]
    public void Display_ConfigurationPath_IsDottedWithIndexes() =>
        Assert.Equal("environments.production.target.docker.hosts[1].ssh", ConfigurationKey.Display("environments:production:target:docker:hosts:1:ssh"));

    [Fact]
    public void Describe_KeyInAFile_PrefixesFileLineAndColumn()
    {
        var locator = new FakeConfigurationLocator().Add("environments:production:strategy", ConfigurationLocation.InFile("deploymind.yml", 14, 15));

        var message = locator.Describe("environments.production.strategy: 'canery' is not a strategy; use rolling, canary or blue-green.");

        Assert.Equal("deploymind.yml:14:15: environments.production.strategy: 'canery' is not a strategy; use rolling, canary or blue-green.", message);
    }

    [Fact]
    public void Describe_KeyFromAnEnvironmentVariable_NamesItAfterTheKey()
    {
        var locator = new FakeConfigurationLocator().Add("build:network", ConfigurationLocation.InEnvironmentVariable("DEPLOYMIND__BUILD__NETWORK"));

        Assert.Equal(
            "build.network (from environment variable DEPLOYMIND__BUILD__NETWORK): 'x' is not a network.",
            locator.Describe("build.network: 'x' is not a network."));
    }

    [Theory]
    [InlineData("environments.staging.strategy: 'x' is not a strategy.")]
    [InlineData("The Docker engine is not reachable.")]
    public void Describe_NothingToPointAt_LeavesTheMessage(string message) =>
        Assert.Equal(message, new FakeConfigurationLocator().Describe(message));
}
