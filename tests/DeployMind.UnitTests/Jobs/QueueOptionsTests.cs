using DeployMind.Application.Jobs;
using DeployMind.Domain;

namespace DeployMind.UnitTests.Jobs;

public sealed class QueueOptionsTests
{
    [Fact]
    public void RetryDelay_DoublesPerDelivery_UpToTheCap()
    {
        var options = new QueueOptions();

        var delays = Enumerable.Range(1, 7).Select(options.RetryDelay).Select(d => d.TotalSeconds);

        Assert.Equal([2d, 4, 8, 16, 32, 60, 60], delays);
    }

    [Fact]
    public void Defaults_TakeOverADeadWorkersJob_AsSoonAsItsLocksExpire()
    {
        var options = new QueueOptions();

        Assert.Equal(options.LockLease, options.Visibility);
    }

    [Theory]
    [InlineData("0s", "1m", "queue.retryBackoff")]
    [InlineData("soon", "1m", "queue.retryBackoff")]
    [InlineData("10s", "5s", "queue.maxRetryBackoff")]
    public void CheckRetryBackoff_NamesTheBadKey(string backoff, string max, string key)
    {
        var options = new QueueOptions { RetryBackoff = backoff, MaxRetryBackoff = max };

        var error = Assert.Throws<InvalidInputException>(options.CheckRetryBackoff);

        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
    }
}
