using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Nginx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.UnitTests.Configuration;

public sealed class ConfigurationCheckerTests
{
    private static readonly BoundSection[] Sections =
    [
        new(string.Empty, typeof(AppOptions)),
        new(BuildOptions.SectionName, typeof(BuildOptions)),
        new(NginxOptions.SectionName, typeof(NginxOptions)),
    ];

    [Fact]
    public void InvalidValues_WordsForNumbersAndAnUnknownMode_EachNamedWithWhereItIsWritten()
    {
        var locator = new FakeConfigurationLocator()
            .Add("environments:production:target:docker:port", ConfigurationLocation.InFile("deploymind.yml", 7, 15))
            .Add("nginx:mode", ConfigurationLocation.InFile("deploymind.yml", 9, 9));
        var checker = Checker(locator, new()
        {
            ["environments:production:target:docker:port"] = "eighty",
            ["environments:production:canary:maxErrorRate"] = "5%",
            ["environments:production:target:docker:hosts:0:strictHostKeyChecking"] = "yes",
            ["nginx:mode"] = "Manged",
        });

        var problems = checker.InvalidValues().Select(p => p.ToString()).ToList();

        Assert.Equal(
            [
                "deploymind.yml:7:15: environments.production.target.docker.port: 'eighty' is not a whole number.",
                "deploymind.yml:9:9: nginx.mode: 'Manged' is not one of Managed, ConfD.",
                "environments.production.canary.maxErrorRate: '5%' is not a number.",
                "environments.production.target.docker.hosts[0].strictHostKeyChecking: 'yes' must be true or false.",
            ],
            problems);
    }

    [Fact]
    public void InvalidValues_ValuesTheBinderAccepts_AreNoProblem()
    {
        var checker = Checker(new FakeConfigurationLocator(), new()
        {
            ["app"] = "shop",
            ["environments:production:strategy"] = "whatever",
            ["environments:production:target:docker:port"] = "8080",
            ["environments:production:canary:maxP95"] = string.Empty,
            ["environments:production:canary:maxErrorRate"] = "0.05",
            ["environments:production:canary:steps:0"] = "10",
            ["environments:production:target:docker:hosts:0:strictHostKeyChecking"] = "False",
            ["environments:production:keepReleases"] = null,
            ["nginx:mode"] = "confd",
            ["logging:logLevel:default"] = "Debug",
        });

        Assert.Empty(checker.InvalidValues());
    }

    [Fact]
    public void InvalidValues_AnItemOfAList_IsCheckedAgainstTheItemType()
    {
        var checker = Checker(new FakeConfigurationLocator(), new() { ["environments:staging:canary:steps:1"] = "half" });

        Assert.Equal("environments.staging.canary.steps[1]: 'half' is not a whole number.", Assert.Single(checker.InvalidValues()).Message);
    }

    [Fact]
    public void UnknownKeys_Typos_WarnedWithTheClosestKnownKey()
    {
        var locator = new FakeConfigurationLocator()
            .Add("environments", At(1))
            .Add("environments:production", At(2))
            .Add("environments:production:stratgy", At(3))
            .Add("environments:production:healthcheck", At(4))
            .Add("environments:production:healthcheck:intervall", At(5))
            .Add("buid", At(6))
            .Add("buid:path", At(7))
            .Add("nginx:listenAdress", At(8))
            .Add("dashboard", At(9));

        var problems = Checker(locator, []).UnknownKeys();

        Assert.All(problems, p => Assert.True(p.IsWarning));
        Assert.Equal(
            [
                "deploymind.yml:3:1: environments.production.stratgy: not a known setting, so it is ignored; did you mean strategy?",
                "deploymind.yml:5:1: environments.production.healthcheck.intervall: not a known setting, so it is ignored; did you mean interval?",
                "deploymind.yml:6:1: buid: not a known setting, so it is ignored; did you mean build?",
                "deploymind.yml:8:1: nginx.listenAdress: not a known setting, so it is ignored; did you mean listenAddress?",
                "deploymind.yml:9:1: dashboard: not a known setting, so it is ignored; check the spelling in docs/configuration.md",
            ],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void UnknownKeys_NamesOfEnvironmentsHostsAndBaseImages_AreKnown()
    {
        var locator = new FakeConfigurationLocator()
            .Add("environments:eu-west:target:docker:hosts:3:knownHosts", At(1))
            .Add("build:baseImages:dotnet-sdk", At(2))
            .Add("nginx:reloadCommand:0", At(3))
            .Add("APP", At(4));

        Assert.Empty(Checker(locator, []).UnknownKeys());
    }

    [Fact]
    public void ContainerSettings_AreKnownAndTyped()
    {
        var locator = new FakeConfigurationLocator()
            .Add("environments:production:target:docker:container:init", At(1))
            .Add("environments:production:target:docker:container:stopTimeout", At(2))
            .Add("environments:production:target:docker:container:restart", At(3))
            .Add("environments:production:target:docker:container:cpus", At(4))
            .Add("environments:production:target:docker:container:memory", At(5))
            .Add("environments:production:target:docker:container:volumes:0", At(6))
            .Add("environments:production:target:docker:container:memroy", At(7));
        var checker = Checker(locator, new()
        {
            ["environments:production:target:docker:container:init"] = "maybe",
        });

        Assert.Equal(
            ["deploymind.yml:7:1: environments.production.target.docker.container.memroy: not a known setting, so it is ignored; did you mean memory?"],
            checker.UnknownKeys().Select(p => p.ToString()));
        Assert.Equal(
            ["deploymind.yml:1:1: environments.production.target.docker.container.init: 'maybe' must be true or false."],
            checker.InvalidValues().Select(p => p.ToString()));
    }

    [Fact]
    public void VerifySettings_CompareAndFailures_AreKnownAndTyped()
    {
        var locator = new FakeConfigurationLocator()
            .Add("environments:production:verify:compare", At(1))
            .Add("environments:production:verify:failures", At(2))
            .Add("environments:production:verify:failurs", At(3));
        var checker = Checker(locator, new()
        {
            ["environments:production:verify:compare"] = "sometimes",
            ["environments:production:verify:failures"] = "three",
        });

        Assert.Equal(
            ["deploymind.yml:3:1: environments.production.verify.failurs: not a known setting, so it is ignored; did you mean failures?"],
            checker.UnknownKeys().Select(p => p.ToString()));
        Assert.Equal(
            [
                "deploymind.yml:1:1: environments.production.verify.compare: 'sometimes' must be true or false.",
                "deploymind.yml:2:1: environments.production.verify.failures: 'three' is not a whole number.",
            ],
            checker.InvalidValues().Select(p => p.ToString()));
    }

    [Fact]
    public void BoundSections_TheCliHost_RecordsEverySectionItBinds()
    {
        using var host = CliHostFactory.Isolated().Create(null, null, verbose: false);

        var sections = host.Services.GetServices<BoundSection>().Select(s => s.Path).Order(StringComparer.Ordinal);

        Assert.Equal([string.Empty, "ai", "build", "database", "git", "github", "nginx", "notifications", "pipeline", "queue", "scan", "security:trivy", "server"], sections);
    }

    private static ConfigurationLocation At(int line) => ConfigurationLocation.InFile("deploymind.yml", line, 1);

    private static ConfigurationChecker Checker(IConfigurationLocator locator, Dictionary<string, string?> values) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), locator, Sections);
}
