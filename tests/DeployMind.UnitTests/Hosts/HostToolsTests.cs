using DeployMind.Infrastructure.Hosts;

namespace DeployMind.UnitTests.Hosts;

public sealed class HostToolsTests
{
    [Fact]
    public void ParseListening_SsOutput_ReadsIpv4Ipv6AndWildcardPorts()
    {
        const string Output = "LISTEN 0      511        127.0.0.1:8080      0.0.0.0:*\nLISTEN 0 128 [::]:22 [::]:*\nLISTEN 0 4096 *:2375 *:*\ngarbage\n";

        Assert.Equal([22, 2375, 8080], ListeningPortAllocator.ParseListening(Output).Order());
    }

    [Theory]
    [InlineData(0, "200", 200, null)]
    [InlineData(0, "503", 503, "status 503")]
    [InlineData(7, "000", null, "connection refused (nothing listens on that port yet)")]
    [InlineData(28, "000", null, "no answer within 2s")]
    [InlineData(127, "", null, "curl is not installed on the host")]
    public void Interpret_CurlResult_GivesProbeResult(int exit, string output, int? status, string? error)
    {
        var result = CommandHttpProbe.Interpret(exit, output, TimeSpan.FromSeconds(2));

        Assert.Equal((status, error, exit == 7), (result.StatusCode, result.Error, result.Refused));
    }

    [Fact]
    public void Command_Url_IsArgumentListWithTimeout()
    {
        var spec = CommandHttpProbe.Command(new Uri("http://127.0.0.1:20001/health"), TimeSpan.FromMilliseconds(1500));

        Assert.Equal(["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", "--max-time", "1.5", "--noproxy", "*", "http://127.0.0.1:20001/health"], spec.Arguments);
    }

    [Fact]
    public void Command_Marker_IsAHeaderArgument()
    {
        var spec = CommandHttpProbe.Command(new Uri("http://127.0.0.1:8080/ping"), TimeSpan.FromSeconds(2), null, new("X-DeployMind-Probe", "0123456789abcdef"));

        Assert.Equal(["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", "--max-time", "2", "--noproxy", "*", "--header", "X-DeployMind-Probe: 0123456789abcdef", "http://127.0.0.1:8080/ping"], spec.Arguments);
    }
}
