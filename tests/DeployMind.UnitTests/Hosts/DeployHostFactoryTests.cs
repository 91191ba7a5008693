using Microsoft.Extensions.Configuration;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Hosts;

/// <summary>How a configured host's address decides the host DeployMind builds (no connection is opened here).</summary>
public sealed class DeployHostFactoryTests : IDisposable
{
    private readonly LocalProcessRunner _local = new(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
    private readonly DeployHostFactory _factory;

    public DeployHostFactoryTests()
    {
        _factory = new DeployHostFactory(_local, new NoProbe(), Options.Create(new NginxOptions()), TimeProvider.System, NullLoggerFactory.Instance);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("local")]
    public void Create_NoAddressOrLocal_IsThisMachine(string? ssh)
    {
        var options = new HostOptions { Name = "local", Ssh = ssh };

        Assert.Same(_local, _factory.RunnerFor(options));
        Assert.Same(_factory.Create(new HostOptions { Name = "local" }).Runtime, _factory.Create(options).Runtime);
    }

    [Theory]
    [InlineData("ssm://i-0123456789abcdef0@eu-west-1", null)]
    [InlineData(null, "i-0123456789abcdef0@eu-west-1")]
    [InlineData(null, "ssm://i-0123456789abcdef0@eu-west-1")]
    public void Create_SsmInstance_IsReachedThroughAnSsmRunner(string? ssh, string? instance)
    {
        var options = new HostOptions { Name = "web-1", Ssh = ssh, Ssm = instance is null ? null : new SsmHostOptions { Instance = instance } };

        var host = _factory.Create(options);

        Assert.Equal("web-1", host.Name);
        Assert.Equal("ssm i-0123456789abcdef0 (eu-west-1)", _factory.RunnerFor(options).Name);
    }

    [Fact]
    public void Create_SsmEntryRegion_AppliesWhenTheIdNamesNone()
    {
        var options = new HostOptions { Name = "web-1", Ssm = new SsmHostOptions { Instance = "i-0123456789abcdef0", Region = "us-east-2", S3Bucket = "out" } };

        Assert.Equal("ssm i-0123456789abcdef0 (us-east-2)", _factory.RunnerFor(options).Name);
    }

    [Theory]
    [InlineData("i-xyz", "Host web-1: The SSM target 'ssm://i-xyz' names no instance id")]
    [InlineData("", "Host web-1: ssm names no instance; write ssm: i-0123456789abcdef0, or ssm: { tags: { role: web } }")]
    public void Create_MalformedSsmInstance_SaysWhatIsWrongNamingTheHost(string instance, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => _factory.Create(new HostOptions { Name = "web-1", Ssm = new SsmHostOptions { Instance = instance } }));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configuration_SsmScalarOrSection_BothBind()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["hosts:0:name"] = "web-1",
            ["hosts:0:ssm"] = "i-0123456789abcdef0",
            ["hosts:1:name"] = "web",
            ["hosts:1:ssm:tags:role"] = "web",
            ["hosts:1:ssm:region"] = "eu-west-1",
            ["hosts:1:ssm:s3Bucket"] = "deploy-output",
            ["hosts:1:ssm:s3Prefix"] = "deploymind",
        }).Build();
        var docker = new DockerTargetOptions();

        configuration.Bind(docker);

        Assert.Equal("i-0123456789abcdef0", docker.Hosts![0].Ssm!.Instance);
        Assert.False(docker.Hosts[0].Ssm!.DiscoversByTags);
        var tagged = docker.Hosts[1].Ssm!;
        Assert.Equal(new Dictionary<string, string> { ["role"] = "web" }, tagged.Tags);
        Assert.Equal(("eu-west-1", "deploy-output", "deploymind"), (tagged.Region, tagged.S3Bucket, tagged.S3Prefix));
        Assert.Null(docker.Hosts[1].Ssh);
    }

    [Fact]
    public void Create_MalformedAddress_SaysWhatIsWrongWithIt()
    {
        var error = Assert.Throws<InvalidInputException>(() => _factory.Create(new HostOptions { Name = "web-1", Ssh = "deploy@web-1:99999" }));

        Assert.Equal(
            "Host web-1: ssh 'deploy@web-1:99999' is not an SSH address (The port '99999' in the SSH target 'deploy@web-1:99999' is not a number from 1 to 65535.); write user@host or ssh://user@host:port.",
            error.Message);
    }

    public void Dispose() => _factory.Dispose();

    private sealed class NoProbe : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is probed here");

        public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => throw new InvalidOperationException("nothing is probed here");
    }
}
