using System.Net;
using DeployMind.Server;
using DeployMind.Server.Api;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Server.Api;

public sealed class FailedTokenThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-06T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Failed_PastTheLimit_GivesTheRestOfTheWindow_ThenANewWindowStarts()
    {
        var throttle = new FailedTokenThrottle(new ServerLimits { FailedTokenLimit = 2, FailedTokenWindow = TimeSpan.FromSeconds(60) }, _time);
        var address = IPAddress.Parse("203.0.113.7");

        Assert.Null(throttle.Failed(address, out _));
        Assert.Null(throttle.Failed(address, out _));
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), throttle.Failed(address, out var crossed));
        Assert.True(crossed);
        Assert.Equal(TimeSpan.FromSeconds(40), throttle.Failed(address, out crossed));
        Assert.False(crossed);

        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(throttle.Failed(address, out _));
    }

    [Fact]
    public void Failed_CountsEachAddressApart_AndIpv6ByItsSlash64()
    {
        var throttle = new FailedTokenThrottle(new ServerLimits { FailedTokenLimit = 1 }, _time);

        Assert.Null(throttle.Failed(IPAddress.Parse("2001:db8:1:2::1"), out _));
        Assert.NotNull(throttle.Failed(IPAddress.Parse("2001:db8:1:2:ffff::9"), out _));
        Assert.Null(throttle.Failed(IPAddress.Parse("2001:db8:1:3::1"), out _));
        Assert.Null(throttle.Failed(IPAddress.Parse("198.51.100.1"), out _));
        Assert.NotNull(throttle.Failed(IPAddress.Parse("::ffff:198.51.100.1"), out _));
    }

    [Fact]
    public void Failed_WhenTheTableIsFull_NewAddressesWaitForExpiredOnesToGo()
    {
        var throttle = new FailedTokenThrottle(new ServerLimits { FailedTokenLimit = 0, FailedTokenAddresses = 2, FailedTokenWindow = TimeSpan.FromSeconds(60) }, _time);

        Assert.NotNull(throttle.Failed(IPAddress.Parse("192.0.2.1"), out _));
        Assert.NotNull(throttle.Failed(IPAddress.Parse("192.0.2.2"), out _));
        Assert.Null(throttle.Failed(IPAddress.Parse("192.0.2.3"), out _));

        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.NotNull(throttle.Failed(IPAddress.Parse("192.0.2.3"), out _));
    }
}
