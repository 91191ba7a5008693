using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Processes;

public sealed class SshTargetTests
{
    [Theory]
    [InlineData("ssh://deploy@web-1:2222", "deploy", "web-1", 2222)]
    [InlineData("ssh://deploy@web-1", "deploy", "web-1", 22)]
    [InlineData("ssh://deploy@web-1:2222/", "deploy", "web-1", 2222)]
    [InlineData("SSH://deploy@web-1", "deploy", "web-1", 22)]
    [InlineData("deploy@203.0.113.10", "deploy", "203.0.113.10", 22)]
    [InlineData("deploy@203.0.113.10:2200", "deploy", "203.0.113.10", 2200)]
    [InlineData("  ci.bot_1@app.example.com  ", "ci.bot_1", "app.example.com", 22)]
    [InlineData("deploy@[2001:db8::1]:2200", "deploy", "2001:db8::1", 2200)]
    [InlineData("ssh://deploy@[::1]", "deploy", "::1", 22)]
    public void Parse_ValidTarget_ReadsUserHostAndPort(string text, string user, string host, int port)
    {
        var target = SshTarget.Parse(text);

        Assert.Equal(user, target.User);
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("web-1", "names no user")]
    [InlineData("ssh://web-1:22", "names no user")]
    [InlineData("@web-1", "has an empty user")]
    [InlineData("deploy@", "has no host")]
    [InlineData("deploy@:22", "has no host")]
    [InlineData("deploy@web-1:0", "The port '0'")]
    [InlineData("deploy@web-1:70000", "The port '70000'")]
    [InlineData("deploy@web-1:ssh", "The port 'ssh'")]
    [InlineData("deploy@web-1:", "The port ''")]
    [InlineData("http://deploy@web-1", "has the scheme 'http'")]
    [InlineData("ssh://deploy@web-1/srv/app", "has a path or query")]
    [InlineData("deploy@web 1", "is not a valid host name")]
    [InlineData("deploy@web_1", "is not a valid host name")]
    [InlineData("deploy@-oProxyCommand=x", "is not a valid host name")]
    [InlineData("de ploy@web-1", "is not a valid user name")]
    [InlineData("-oops@web-1", "is not a valid user name")]
    [InlineData("deploy@2001:db8::1", "needs brackets")]
    [InlineData("deploy@[web-1]:22", "needs brackets")]
    public void Parse_InvalidTarget_ThrowsWithReason(string text, string reason)
    {
        var ex = Assert.Throws<SshTargetFormatException>(() => SshTarget.Parse(text));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.False(SshTarget.TryParse(text, out var target));
        Assert.Null(target);
    }

    [Fact]
    public void TryParse_Null_ReturnsFalseWithMessage()
    {
        Assert.False(SshTarget.TryParse(null, out var target, out var error));

        Assert.Null(target);
        Assert.Contains("expected user@host", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Defaults_AreSafe()
    {
        var target = SshTarget.Parse("deploy@web-1");

        Assert.True(target.StrictHostKeyChecking);
        Assert.EndsWith(Path.Combine(".ssh", "known_hosts"), target.KnownHostsPath, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine(".ssh", "id_ed25519"), target.PrivateKeyPath, StringComparison.Ordinal);
        Assert.Null(target.PassphraseEnvironmentVariable);
        Assert.Null(target.PassphraseFile);
        Assert.Null(target.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), target.ConnectTimeout);
    }

    [Theory]
    [InlineData("deploy@web-1", "deploy@web-1:22")]
    [InlineData("ssh://deploy@[2001:db8::1]:2200", "deploy@[2001:db8::1]:2200")]
    public void Address_Target_IsUserHostPort(string text, string expected)
    {
        var target = SshTarget.Parse(text);

        Assert.Equal(expected, target.Address);
        Assert.Equal(expected, target.ToString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Constructor_PortOutOfRange_Throws(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SshTarget("deploy", "web-1", port));
    }
}
