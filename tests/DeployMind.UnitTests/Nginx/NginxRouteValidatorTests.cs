using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxRouteValidatorTests
{
    private static readonly RouteSpec Valid = new("shop_v2-api", 8080, [new("127.0.0.1:5001", 1, "v1")]);

    [Fact]
    public void Validate_ValidRoute_DoesNotThrow()
    {
        NginxRouteValidator.Validate(Valid);
        NginxRouteValidator.Validate(Valid with { ServerName = "*.preview.example.com", Servers = [new("[::1]:1", 1, ""), new("web-1.internal:65535", 1000, "x")] });
    }

    [Theory]
    [InlineData("", "App name ''")]
    [InlineData("-shop", "App name '-shop'")]
    [InlineData("shop.conf", "App name 'shop.conf'")]
    [InlineData("shop\n", "App name 'shop\n'")]
    [InlineData("shop;", "App name 'shop;'")]
    [InlineData("../etc", "App name '../etc'")]
    public void Validate_BadAppName_ThrowsNamingIt(string app, string expected)
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { App = app }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void Validate_BadListenPort_Throws(int port)
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { ListenPort = port }));

        Assert.Contains($"listen port {port}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:80;")]
    [InlineData("127.0.0.1:80 backup")]
    [InlineData("999.0.0.1:80")]
    [InlineData("1.2.3:80")]
    [InlineData("::1:80")]
    [InlineData("[::1]80")]
    [InlineData("[fe80::1%eth0]:80")]
    [InlineData("host_name:80")]
    [InlineData(":80")]
    [InlineData("unix:/tmp/sock")]
    public void Validate_BadUpstreamAddress_ThrowsNamingIt(string address)
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { Servers = [new(address, 1, "v1")] }));

        Assert.Contains($"upstream address '{address}' is not host:port", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Validate_WeightBelowOne_Throws(int weight)
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { Servers = [new("127.0.0.1:5001", weight, "v1")] }));

        Assert.Contains($"weight {weight}; weights are 1 or more", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoServersOrDuplicates_Throws()
    {
        Assert.Contains("no upstream servers", Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { Servers = [] })).Message, StringComparison.Ordinal);
        Assert.Contains("listed twice", Assert.Throws<InvalidInputException>(
            () => NginxRouteValidator.Validate(Valid with { Servers = [new("127.0.0.1:5001", 1, "a"), new("127.0.0.1:5001", 2, "b")] })).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com; include /etc/passwd")]
    [InlineData("a b")]
    [InlineData("~^regex$")]
    [InlineData("")]
    [InlineData("example.com\n")]
    public void Validate_BadServerName_Throws(string serverName)
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { ServerName = serverName }));

        Assert.Contains("is not a host name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LabelWithNewline_Throws()
    {
        var error = Assert.Throws<InvalidInputException>(() => NginxRouteValidator.Validate(Valid with { Servers = [new("127.0.0.1:5001", 1, "v1\n}")] }));

        Assert.Contains("label of upstream '127.0.0.1:5001'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("[::]", true)]
    [InlineData("localhost", false)]
    [InlineData("127.0.0.1:80", false)]
    [InlineData("::1", false)]
    public void IsListenAddress_Values_Classified(string address, bool expected) =>
        Assert.Equal(expected, NginxRouteValidator.IsListenAddress(address));

    [Theory]
    [InlineData("/srv/nginx", true)]
    [InlineData("~/.deploymind/nginx", true)]
    [InlineData("relative/path", false)]
    [InlineData("/srv/$host", false)]
    [InlineData("/srv/\"x", false)]
    [InlineData("/srv/x;", false)]
    [InlineData("/srv/x\n", false)]
    public void IsSafePath_Values_Classified(string path, bool expected) =>
        Assert.Equal(expected, NginxRouteValidator.IsSafePath(path));
}
