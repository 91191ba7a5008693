using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Domain;
using DeployMind.Domain.Hosts;

namespace DeployMind.UnitTests.Hosts;

public sealed class HostAddressTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("local")]
    [InlineData(" local ")]
    public void Parse_NothingOrLocal_IsThisMachine(string? text) => Assert.Same(HostAddress.Local, HostAddress.Parse(text));

    [Theory]
    [InlineData("deploy@203.0.113.10", "deploy", "203.0.113.10", 22)]
    [InlineData("deploy@web-1:2222", "deploy", "web-1", 2222)]
    [InlineData("ssh://deploy@127.0.0.1:2222", "deploy", "127.0.0.1", 2222)]
    [InlineData("ssh://ops@[::1]:22/", "ops", "::1", 22)]
    public void Parse_SshAddress_IsUserHostAndPort(string text, string user, string host, int port)
    {
        var ssh = Assert.IsType<HostAddress.Ssh>(HostAddress.Parse(text));

        Assert.Equal((user, host, port, "ssh"), (ssh.User, ssh.Host, ssh.Port, ssh.Kind));
    }

    [Theory]
    [InlineData("ssm://i-0123456789abcdef0", "i-0123456789abcdef0", null)]
    [InlineData("ssm://i-01234567@eu-west-1", "i-01234567", "eu-west-1")]
    public void Parse_SsmInstance_ParsesAsItsOwnKind(string text, string instance, string? region)
    {
        var ssm = Assert.IsType<HostAddress.Ssm>(HostAddress.Parse(text));

        Assert.Equal((instance, region, "ssm", text), (ssm.InstanceId, ssm.Region, ssm.Kind, ssm.ToString()));
    }

    [Theory]
    [InlineData("web-1", "The SSH target 'web-1' names no user")]
    [InlineData("deploy@web-1:99999", "The port '99999' in the SSH target 'deploy@web-1:99999' is not a number from 1 to 65535.")]
    [InlineData("ftp://deploy@web-1", "The SSH target 'ftp://deploy@web-1' has the scheme 'ftp'")]
    [InlineData("ssm://web-1", "The SSM target 'ssm://web-1' names no instance id ('i-' and 8 or 17 hex digits)")]
    [InlineData("ssm://i-0123456789abcdef0@EU West", "The region 'EU West' in the SSM target")]
    public void Parse_Malformed_SaysWhatIsWrong(string text, string message)
    {
        var error = Assert.Throws<InvalidInputException>(() => HostAddress.Parse(text));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.False(HostAddress.TryParse(text, out _, out _));
    }

    [Theory]
    [InlineData("local", "local")]
    [InlineData("local/shop-pr-7", "local")]
    [InlineData("web-1/shop-pr-7", "web-1")]
    [InlineData("ssh://deploy@127.0.0.1:2222/shop-pr-7", "ssh://deploy@127.0.0.1:2222")]
    [InlineData("deploy@127.0.0.1/shop-pr-7", "deploy@127.0.0.1")]
    public void WithoutInstance_DropsAPreviewsSuffixOnly(string name, string expected) => Assert.Equal(expected, HostAddress.WithoutInstance(name));

    [Fact]
    public void HostOptions_ParseAddress_EmptySshIsThisMachine_ElseTheAddress()
    {
        Assert.Same(HostAddress.Local, new HostOptions { Name = "local" }.ParseAddress());
        Assert.Equal(new HostAddress.Ssh("deploy", "web-1", 22), new HostOptions { Name = "web-1", Ssh = "deploy@web-1" }.ParseAddress());
    }

    [Theory]
    [InlineData("docker:deploy@203.0.113.10/shop-pr-7", "deploy@203.0.113.10")]
    public void ReachableHostOf_BareSshAddress_IsReachedWithoutConfiguration(string target, string ssh)
    {
        var host = DeployService.ReachableHostOf(target);

        Assert.Equal((ssh, ssh), (host?.Name, host?.Ssh));
    }

    [Theory]
    [InlineData("docker:")]
    [InlineData("docker:ssm://i-0123456789abcdef0")]
    [InlineData("docker:deploy@web-1:99999")]
    public void ReachableHostOf_NothingReachable_IsNull(string target) => Assert.Null(DeployService.ReachableHostOf(target));
}
