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

    [Fact]
    public void Create_SsmInstance_ParsesButIsRefusedAsNotSupportedYet()
    {
        var error = Assert.Throws<InvalidInputException>(() => _factory.Create(new HostOptions { Name = "web-1", Ssh = "ssm://i-0123456789abcdef0@eu-west-1" }));

        Assert.Equal(
            "Host web-1: 'ssm://i-0123456789abcdef0@eu-west-1' is an SSM instance; hosts reached through SSM are not supported yet, write user@host or ssh://user@host:port.",
            error.Message);
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
