using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxAccessLogParserTests
{
    private const string Good =
        """{"msec":"1700000000.123","time":"2023-11-14T22:13:20+00:00","upstream_addr":"127.0.0.1:5001","status":"200","upstream_status":"200","request_time":"0.005","upstream_response_time":"0.004","method":"GET","uri":"/a?b=\"c\"","bytes":"12"}""";

    [Fact]
    public void TryParseLine_GoodLine_ReadsTimeUpstreamStatusAndLatency()
    {
        Assert.True(NginxAccessLogParser.TryParseLine(Good, out var entry));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), entry.Time);
        Assert.Equal("127.0.0.1:5001", entry.UpstreamAddress);
        Assert.Equal(200, entry.Status);
        Assert.Equal(4, entry.UpstreamResponseMilliseconds!.Value, 6);
    }

    [Fact]
    public void TryParseLine_RetriedRequest_CountsTheLastUpstream()
    {
        var line = """{"msec":"1700000000.500","upstream_addr":"127.0.0.1:5002, 127.0.0.1:5001","status":"503","upstream_status":"502, 503","upstream_response_time":"0.000, 0.250"}""";

        Assert.True(NginxAccessLogParser.TryParseLine(line, out var entry));

        Assert.Equal("127.0.0.1:5001", entry.UpstreamAddress);
        Assert.Equal(503, entry.Status);
        Assert.Equal(250, entry.UpstreamResponseMilliseconds!.Value, 6);
    }

    [Fact]
    public void TryParseLine_NoUpstream_HasNoAddressOrLatency()
    {
        var line = """{"msec":"1700000000.500","upstream_addr":"","status":"400","upstream_response_time":""}""";

        Assert.True(NginxAccessLogParser.TryParseLine(line, out var entry));

        Assert.Null(entry.UpstreamAddress);
        Assert.Null(entry.UpstreamResponseMilliseconds);
    }

    [Theory]
    [InlineData("127.0.0.1:1", "127.0.0.1:1")]
    [InlineData("127.0.0.1:1, 127.0.0.1:2", "127.0.0.1:2")]
    [InlineData("127.0.0.1:1 : 127.0.0.1:2", "127.0.0.1:2")]
    [InlineData("127.0.0.1:1, 127.0.0.1:2 : [::1]:3", "[::1]:3")]
    [InlineData("-", null)]
    [InlineData("127.0.0.1:1, -", null)]
    [InlineData("", null)]
    public void Last_UpstreamVariable_TakesTheFinalElement(string value, string? expected) =>
        Assert.Equal(expected, NginxAccessLogParser.Last(value));

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("""0.000","status":"200"}""")]
    [InlineData("""{"msec":"1700000000.000","status":"200""")]
    [InlineData("""{"msec":"soon","status":"200"}""")]
    [InlineData("""{"msec":"1700000000.000","status":"-"}""")]
    [InlineData("""{"msec":"1700000000.000"}""")]
    [InlineData("""{"msec":1700000000,"status":200}""")]
    [InlineData("""127.0.0.1 - - [14/Nov/2023:22:13:20 +0000] "GET / HTTP/1.1" 200 12""")]
    [InlineData("[1,2]")]
    public void TryParseLine_Garbage_ReturnsFalse(string line) =>
        Assert.False(NginxAccessLogParser.TryParseLine(line, out _));

    [Fact]
    public void Parse_MixedText_SkipsGarbageKeepsOrder()
    {
        var text = "ial\":\"x\"}\n" + Good + "\n\nnot json\r\n" + Good.Replace("5001", "5002", StringComparison.Ordinal) + "\r\n";

        var entries = NginxAccessLogParser.Parse(text).ToArray();

        Assert.Equal(["127.0.0.1:5001", "127.0.0.1:5002"], entries.Select(e => e.UpstreamAddress));
    }

    [Theory]
    [InlineData("1700000000.123", 1_700_000_000_123)]
    [InlineData("1700000000", 1_700_000_000_000)]
    [InlineData("0.001", 1)]
    public void TryParseMsec_Values_ExactMilliseconds(string text, long expected)
    {
        Assert.True(NginxAccessLogParser.TryParseMsec(text, out var time));

        Assert.Equal(expected, time.ToUnixTimeMilliseconds());
    }
}
