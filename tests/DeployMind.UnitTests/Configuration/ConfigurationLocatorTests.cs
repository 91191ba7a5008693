using DeployMind.Application.Configuration;
using DeployMind.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;

namespace DeployMind.UnitTests.Configuration;

public sealed class ConfigurationLocatorTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-locate-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Locate_ValueInBothFiles_PointsAtTheLaterFile()
    {
        var user = Write("user.yml", "environments:\n  production:\n    strategy: rolling\n    keepReleases: 5\n");
        var app = Write("deploymind.yml", "environments:\n  production:\n    # canary for the shop\n    strategy: canery\n");
        var locator = Locator(new ConfigurationBuilder().AddYamlFile(user).AddYamlFile(app));

        Assert.Equal(ConfigurationLocation.InFile("deploymind.yml", 4, 15), locator.Locate("environments.production.strategy"));
        Assert.Equal(ConfigurationLocation.InFile("user.yml", 4, 19), locator.Locate("environments.production.keepReleases"));
    }

    [Fact]
    public void Locate_KeySpellings_AllFindTheSameSetting()
    {
        var app = Write("deploymind.yml", "environments:\n  production:\n    target:\n      docker:\n        hosts: [ { name: web-1, ssh: 'deploy@' } ]\n");
        var locator = Locator(new ConfigurationBuilder().AddYamlFile(app));
        var expected = ConfigurationLocation.InFile("deploymind.yml", 5, 38);

        Assert.Equal(expected, locator.Locate("environments:production:target:docker:hosts:0:ssh"));
        Assert.Equal(expected, locator.Locate("environments.production.target.docker.hosts[0].ssh"));
        Assert.Equal(expected, locator.Locate("environments.production.target.docker.hosts.0.ssh"));
        Assert.Equal(expected, locator.Locate("Environments.Production.Target.Docker.Hosts[0].SSH"));
    }

    [Fact]
    public void Locate_FileOutsideTheCurrentFolder_IsShownInFull()
    {
        var app = Write("deploymind.yml", "app: shop\n");
        var locator = new ConfigurationLocator(new ConfigurationBuilder().AddYamlFile(app).Build(), Path.Combine(_dir.FullName, "elsewhere"));

        Assert.Equal(ConfigurationLocation.InFile(app, 1, 6), locator.Locate("app"));
    }

    [Fact]
    public void Locate_SectionOrValueLeftAtItsDefault_PointsAtTheNearestWrittenSection()
    {
        var app = Write("deploymind.yml", "environments:\n  production:\n    healthCheck:\n      interval: 30s\n");
        var locator = Locator(new ConfigurationBuilder().AddYamlFile(app));

        Assert.Equal(ConfigurationLocation.InFile("deploymind.yml", 3, 5), locator.Locate("environments.production.healthCheck"));
        Assert.Equal(ConfigurationLocation.InFile("deploymind.yml", 3, 5), locator.Locate("environments.production.healthCheck.deadline"));
        Assert.Null(locator.Locate("environments.staging.strategy"));
        Assert.Null(locator.Locate("build.path"));
    }

    [Fact]
    public void Locate_EnvironmentVariableOverridesTheFile_NamesTheVariable()
    {
        var prefix = $"DMTEST{Guid.NewGuid():N}__";
        var variable = prefix + "ENVIRONMENTS__PRODUCTION__STRATEGY";
        var app = Write("deploymind.yml", "environments:\n  production:\n    strategy: rolling\n");
        Environment.SetEnvironmentVariable(variable, "canery");
        try
        {
            var locator = Locator(new ConfigurationBuilder().AddYamlFile(app).AddEnvironmentVariables(prefix));

            var location = locator.Locate("environments.production.strategy");

            Assert.Equal(ConfigurationLocation.InEnvironmentVariable(variable), location);
            Assert.Equal(
                $"environments.production.strategy (from environment variable {variable}): 'canery' is not a strategy.",
                locator.Describe("environments.production.strategy: 'canery' is not a strategy."));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Locate_InMemoryOverride_HasNoLocation()
    {
        var app = Write("deploymind.yml", "build:\n  network: bridge\n");
        var locator = Locator(new ConfigurationBuilder().AddYamlFile(app).AddInMemoryCollection(new Dictionary<string, string?> { ["build:network"] = "host" }));

        Assert.Null(locator.Locate("build.network"));
    }

    [Fact]
    public void WrittenKeys_TwoFiles_EveryKeyInPrecedenceAndDocumentOrder()
    {
        var user = Write("user.yml", "build: { network: host }\n");
        var app = Write("deploymind.yml", "app: shop\nenvironments:\n  production: { strategy: canary }\n");
        var locator = Locator(new ConfigurationBuilder().AddYamlFile(user).AddYamlFile(app));

        Assert.Equal(
            ["build", "build:network", "app", "environments", "environments:production", "environments:production:strategy"],
            locator.WrittenKeys().Select(k => k.Key));
        Assert.Equal(ConfigurationLocation.InFile("deploymind.yml", 3, 17), locator.WrittenKeys()[^1].Location);
    }

    private ConfigurationLocator Locator(IConfigurationBuilder builder) => new(builder.Build(), _dir.FullName);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
