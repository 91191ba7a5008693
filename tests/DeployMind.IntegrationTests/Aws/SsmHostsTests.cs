using DeployMind.Application.Configuration;
using DeployMind.Domain;
using DeployMind.Infrastructure.Hosts;
using DeployMind.Infrastructure.Http;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.IntegrationTests.Aws;

/// <summary>SSM host entries as deploys and validate use them: discovery by tags (running, agent online), naming, validate's rows.</summary>
public sealed class SsmHostsTests : IAsyncLifetime, IDisposable
{
    private const string Web1 = "i-0aaaaaaaaaaaaaaa1";
    private const string Web2 = "i-0aaaaaaaaaaaaaaa2";
    private const string WebOffline = "i-0aaaaaaaaaaaaaaa3";
    private const string WebStopped = "i-0aaaaaaaaaaaaaaa4";
    private const string Api = "i-0bbbbbbbbbbbbbbb1";

    private FakeAws _aws = null!;
    private DeployHostFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _aws = await FakeAws.StartAsync();
        foreach (var instance in new[]
        {
            new FakeAwsInstance(Web2) { Tags = new Dictionary<string, string> { ["role"] = "web", ["Name"] = "web-2" } },
            new FakeAwsInstance(Web1) { Tags = new Dictionary<string, string> { ["role"] = "web", ["Name"] = "web-1" } },
            new FakeAwsInstance(WebOffline) { Tags = new Dictionary<string, string> { ["role"] = "web" }, Online = false },
            new FakeAwsInstance(WebStopped) { Tags = new Dictionary<string, string> { ["role"] = "web" }, State = "stopped" },
            new FakeAwsInstance(Api) { Tags = new Dictionary<string, string> { ["role"] = "api" } },
        })
        {
            _aws.AddInstance(instance);
        }

        _factory = new DeployHostFactory(
            new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System),
            new HttpProbe(),
            Options.Create(new NginxOptions()),
            TimeProvider.System,
            NullLoggerFactory.Instance,
            _aws.Clients());
    }

    public async Task DisposeAsync() => await _aws.DisposeAsync();

    public void Dispose()
    {
        _factory.Dispose();
        _factory.Aws.Dispose();
    }

    [Fact]
    public void CreateAll_Tags_OneHostPerRunningInstanceWithItsAgentOnlineNamedByEntryAndId()
    {
        var entry = new HostOptions { Name = "web", Ssm = new SsmHostOptions { Tags = new() { ["role"] = "web" } } };

        var hosts = _factory.CreateAll(entry);

        Assert.Equal([$"web:{Web1}", $"web:{Web2}"], hosts.Select(h => h.Name));
        Assert.Equal($"ssm {Web1}", _factory.RunnerFor(_factory.Expand(entry)[0]).Name);
        Assert.Contains("ec2:DescribeInstances", _aws.Calls);
        Assert.Contains("AmazonSSM.DescribeInstanceInformation", _aws.Calls);
    }

    [Fact]
    public void CreateAll_Tags_DiscoveredOncePerFactory()
    {
        var entry = new HostOptions { Name = "web", Ssm = new SsmHostOptions { Tags = new() { ["role"] = "web" } } };

        _factory.CreateAll(entry);
        _factory.CreateAll(entry);

        Assert.Single(_aws.Calls, c => c == "ec2:DescribeInstances");
    }

    [Fact]
    public void CreateAll_NoMatchingOnlineInstance_ClearErrorNamingTheTagsAndWhatWasFound()
    {
        _aws.AddInstance(new FakeAwsInstance("i-0ccccccccccccccc1") { Tags = new Dictionary<string, string> { ["role"] = "db" }, Online = false });

        var none = Assert.Throws<InvalidInputException>(() => _factory.CreateAll(new HostOptions { Name = "cache", Ssm = new SsmHostOptions { Tags = new() { ["role"] = "cache" } } }));
        var offline = Assert.Throws<InvalidInputException>(() => _factory.CreateAll(new HostOptions { Name = "db", Ssm = new SsmHostOptions { Tags = new() { ["role"] = "db" } } }));

        Assert.Equal("Host cache: no running EC2 instance with tags role=cache has its SSM agent online (none is running).", none.Message);
        Assert.Equal("Host db: no running EC2 instance with tags role=db has its SSM agent online (found i-0ccccccccccccccc1 (SSM agent ConnectionLost)).", offline.Message);
    }

    [Fact]
    public async Task Validate_TagsEntry_ReportsTheInstancesThenChecksEachLikeAnSshHost()
    {
        var checks = new HostChecks(_factory);
        var entry = new HostOptions { Name = "api", Ssm = new SsmHostOptions { Tags = new() { ["role"] = "api" } } };

        var rows = await checks.CheckAsync(entry, new Dictionary<int, string>(), CancellationToken.None);

        Assert.Equal($"api: instances", rows[0].Name);
        Assert.True(rows[0].Passed, rows[0].Detail);
        Assert.Contains(Api, rows[0].Detail, StringComparison.Ordinal);
        var connection = Assert.Single(rows, r => r.Name == $"api:{Api}: connection");
        Assert.True(connection.Passed, connection.Detail);
        Assert.StartsWith($"ssm {Api} as ", connection.Detail, StringComparison.Ordinal);
        foreach (var tool in new[] { "Docker engine", "nginx", "ss", "curl" })
        {
            Assert.Contains(rows, r => r.Name == $"api:{Api}: {tool}");
        }

        Assert.True(rows.Single(r => r.Name == $"api:{Api}: curl").Passed);
    }

    [Fact]
    public async Task Validate_InstanceWhoseAgentIsOffline_FailsOnTheAgentRowAndStops()
    {
        var checks = new HostChecks(_factory);

        var rows = await checks.CheckAsync(new HostOptions { Name = "old", Ssm = new SsmHostOptions { Instance = WebOffline } }, new Dictionary<int, string>(), CancellationToken.None);

        var row = Assert.Single(rows);
        Assert.Equal("old: SSM agent", row.Name);
        Assert.False(row.Passed);
        Assert.Contains($"{WebOffline} is ConnectionLost", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_InstanceOnline_AgentRowPassesThenTheHostChecks()
    {
        var checks = new HostChecks(_factory);

        var rows = await checks.CheckAsync(new HostOptions { Name = "web-1", Ssm = new SsmHostOptions { Instance = Web1 } }, new Dictionary<int, string>(), CancellationToken.None);

        Assert.Equal(["web-1: SSM agent", "web-1: connection"], rows.Take(2).Select(r => r.Name));
        Assert.All(rows.Take(2), r => Assert.True(r.Passed, r.Detail));
    }
}
