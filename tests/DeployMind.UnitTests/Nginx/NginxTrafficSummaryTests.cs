using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxTrafficSummaryTests
{
    private static readonly DateTimeOffset From = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly DateTimeOffset To = From.AddSeconds(10);

    [Fact]
    public void Summarize_Window_KeepsFromInclusiveToExclusive()
    {
        var entries = new[]
        {
            Entry(From.AddMilliseconds(-1), "a:1", 200, 1),
            Entry(From, "a:1", 200, 2),
            Entry(To.AddMilliseconds(-1), "a:1", 200, 3),
            Entry(To, "a:1", 200, 4),
        };

        var window = NginxTrafficSummary.Summarize(entries, From, To);

        Assert.Equal(2, window.For("a:1").Requests);
        Assert.Equal(From, window.From);
        Assert.Equal(To, window.To);
    }

    [Fact]
    public void Summarize_Upstreams_CountsRequestsServerErrorsAndP95PerUpstream()
    {
        var entries = Enumerable.Range(1, 20).Select(i => Entry(From.AddSeconds(1), "a:1", i == 7 ? 503 : 200, i))
            .Append(Entry(From.AddSeconds(2), "b:2", 502, 100))
            .Append(Entry(From.AddSeconds(2), "b:2", 404, null))
            .Append(Entry(From.AddSeconds(3), null, 500, null));

        var window = NginxTrafficSummary.Summarize(entries, From, To);

        Assert.Equal(new Application.Deploy.Hosts.UpstreamStats(20, 1, 19), window.For("a:1"));
        Assert.Equal(new Application.Deploy.Hosts.UpstreamStats(2, 1, 100), window.For("b:2"));
        Assert.Equal(22, window.TotalRequests);
        Assert.Equal(2, window.ByUpstream.Count);
        Assert.Equal(0.5, window.For("b:2").ErrorRate);
    }

    [Fact]
    public void Summarize_NoEntries_EmptyWindow()
    {
        var window = NginxTrafficSummary.Summarize([], From, To);

        Assert.Equal(0, window.TotalRequests);
        Assert.Equal(Application.Deploy.Hosts.UpstreamStats.Empty, window.For("a:1"));
    }

    private static NginxAccessLogEntry Entry(DateTimeOffset time, string? upstream, int status, double? ms) => new(time, upstream, status, ms);
}
