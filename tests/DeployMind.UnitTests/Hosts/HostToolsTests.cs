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

    [Fact]
    public void ParseKernelTable_ProcNetTcpLines_ReadsTheListeningSocketsPortsOnly()
    {
        const string Table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17278363 1 0000000000000000 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17277495 1 0000000000000000 100 0 0 10 0
               2: 0100007F:AB12 0100007F:951F 01 00000000:00000000 00:00000000 00000000     0        0 19892320 1 0000000000000000 20 4 28 18 -1
               3: 0000000000000000FFFF00000100007F:0947 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1 0
            """;

        Assert.Equal([22, 2375, 8080], ListeningPortAllocator.ParseKernelTable(Table).Order());
    }

    [Fact]
    public void ParseKernelTable_ThisMachinesTables_HoldListenersOnIpv4AndIpv6()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var v4 = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        v4.Start();
        var v4Port = ((System.Net.IPEndPoint)v4.LocalEndpoint).Port;
        Assert.Contains(v4Port, ListeningPortAllocator.ParseKernelTable(File.ReadAllText("/proc/net/tcp")));
        if (System.Net.Sockets.Socket.OSSupportsIPv6 && File.Exists("/proc/net/tcp6"))
        {
            using var v6 = new System.Net.Sockets.TcpListener(System.Net.IPAddress.IPv6Loopback, 0);
            v6.Start();
            Assert.Contains(((System.Net.IPEndPoint)v6.LocalEndpoint).Port, ListeningPortAllocator.ParseKernelTable(File.ReadAllText("/proc/net/tcp6")));
        }

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
