using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxConfigRendererTests
{
    private static readonly RouteSpec Canary = new("shop", 8080, [new("127.0.0.1:5001", 90, "r41"), new("127.0.0.1:5002", 10, "r42")]);

    [Fact]
    public void RenderSite_TwoServers_RendersWeightedUpstreamAndKeepalive()
    {
        var site = Render(Canary);

        Assert.Contains("upstream dm_shop {\n", site, StringComparison.Ordinal);
        Assert.Contains("    server 127.0.0.1:5001 weight=90;  # r41\n", site, StringComparison.Ordinal);
        Assert.Contains("    server 127.0.0.1:5002 weight=10;  # r42\n", site, StringComparison.Ordinal);
        Assert.Contains("    keepalive 16;\n", site, StringComparison.Ordinal);
        Assert.Contains("proxy_pass http://dm_shop;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_http_version 1.1;", site, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Connection \"\";", site, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_Retries_OnlyOnConnectionErrors()
    {
        var site = Render(Canary);

        Assert.Contains("        proxy_next_upstream error;\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain("http_50", site, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_next_upstream error timeout", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_ListenAddressAndNoServerName_ListensThereForAnyName()
    {
        var site = NginxConfigRenderer.RenderSite(Canary, "[::1]", "/logs/shop.access.log", 0, "g1");

        Assert.Contains("    listen [::1]:8080;\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain("server_name", site, StringComparison.Ordinal);
        Assert.DoesNotContain("keepalive", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_ServerName_RendersIt()
    {
        var site = Render(Canary with { ServerName = "pr-12.preview.example.com" });

        Assert.Contains("    listen 127.0.0.1:8080;\n    server_name pr-12.preview.example.com;\n", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderSite_AccessLog_UsesTheAppsJsonFormat()
    {
        var site = Render(Canary);

        Assert.Contains($"log_format dm_json_shop escape=json '{NginxConfigRenderer.LogFormat}';", site, StringComparison.Ordinal);
        Assert.Contains("    access_log \"/logs/shop.access.log\" dm_json_shop;\n", site, StringComparison.Ordinal);
        foreach (var variable in new[] { "$msec", "$time_iso8601", "$upstream_addr", "$status", "$upstream_status", "$request_time", "$upstream_response_time", "$request_method", "$request_uri", "$body_bytes_sent" })
        {
            Assert.Contains($":\"{variable}\"", NginxConfigRenderer.LogFormat, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RenderSite_RouteComment_IsFirstLineAndRoundTrips()
    {
        var route = Canary with { ServerName = "*.example.com" };
        var tricky = route with { Servers = [new("127.0.0.1:5001", 3, "it's \"v2\" {x}; # ünïcode")] };

        var site = Render(tricky);
        var read = NginxRouteComment.Parse(site);

        Assert.StartsWith("# deploymind-route: {\"version\":1,\"app\":\"shop\",\"listenPort\":8080,", site, StringComparison.Ordinal);
        Assert.NotNull(read);
        Assert.Equal(tricky.App, read.App);
        Assert.Equal(tricky.ListenPort, read.ListenPort);
        Assert.Equal(tricky.ServerName, read.ServerName);
        Assert.Equal(tricky.Servers, read.Servers);
        Assert.DoesNotContain('\'', site.Split('\n')[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("server { listen 80; }")]
    [InlineData("# deploymind-route: {not json")]
    [InlineData("# deploymind-route: {\"version\":2,\"app\":\"shop\"}")]
    public void Parse_NoReadableRouteComment_ReturnsNull(string text) => Assert.Null(NginxRouteComment.Parse(text));

    [Fact]
    public void RenderSite_InvalidRoute_Throws()
    {
        Assert.Throws<InvalidInputException>(() => Render(Canary with { App = "shop\nserver { }" }));
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderSite(Canary, "0.0.0.0; include /etc/passwd", "/logs/a.log", 16, "g1"));
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderSite(Canary, "127.0.0.1", "/logs/$host.log", 16, "g1"));
    }

    [Fact]
    public void RenderSite_Generation_AnsweredOnTheRoutePathToLoopbackOnlyAndUnlogged()
    {
        var site = NginxConfigRenderer.RenderSite(Canary, "127.0.0.1", "/logs/shop.access.log", 16, "19a2b-0f3c4d");

        var marker = site[site.IndexOf("    location = /.deploymind/route {\n", StringComparison.Ordinal)..];
        marker = marker[..(marker.IndexOf("    }\n", StringComparison.Ordinal) + 6)];
        Assert.Equal(
            "    location = /.deploymind/route {\n        allow 127.0.0.1;\n        allow ::1;\n        deny all;\n        access_log off;\n"
            + "        default_type text/plain;\n        return 200 \"19a2b-0f3c4d\";\n    }\n",
            marker);
        Assert.True(site.IndexOf(marker, StringComparison.Ordinal) < site.IndexOf("    location / {", StringComparison.Ordinal));
        Assert.Equal("19a2b-0f3c4d", NginxConfigRenderer.GenerationOf(site));
        Assert.Null(NginxConfigRenderer.GenerationOf(site.Replace("# deploymind-generation: ", "# other: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void RenderSite_NonLoopbackListenAddress_AllowsTheHostsOwnAddressToo()
    {
        var site = NginxConfigRenderer.RenderSite(Canary, "203.0.113.5", "/logs/shop.access.log", 16, "g1");
        var wildcard = NginxConfigRenderer.RenderSite(Canary, "0.0.0.0", "/logs/shop.access.log", 16, "g1");

        Assert.Contains("        allow 203.0.113.5;\n        deny all;\n", site, StringComparison.Ordinal);
        Assert.Contains("        allow ::1;\n        deny all;\n", wildcard, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", NginxConfigRenderer.ProbeAddress("0.0.0.0"));
        Assert.Equal("[::1]", NginxConfigRenderer.ProbeAddress("[::]"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("G1")]
    [InlineData("g1\"; return 500 \"x")]
    public void RenderSite_InvalidGeneration_Throws(string generation) =>
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderSite(Canary, "127.0.0.1", "/logs/a.log", 16, generation));

    [Theory]
    [InlineData("server {\n    listen 127.0.0.1:8080;\n}", new[] { 8080 })]
    [InlineData("server { listen 80 default_server; listen [::1]:8443 ssl; }", new[] { 80, 8443 })]
    [InlineData("server {\n  listen 80 default_server;\n\tlisten [::1]:8443 ssl;\n  listen unix:/run/x.sock;\n}", new[] { 80, 8443 })]
    [InlineData("# listen 9090;\nserver { }", new int[0])]
    public void ListenPortsOf_AnySite_ReadsItsListenDirectives(string site, int[] expected) =>
        Assert.Equal(expected, NginxConfigRenderer.ListenPortsOf(site));

    [Fact]
    public void RenderMainConfig_Prefix_KeepsEverythingInsideIt()
    {
        var layout = NginxLayout.Create(new NginxOptions { Prefix = "/srv/dm/nginx/" }, home: null);

        var main = NginxConfigRenderer.RenderMainConfig(layout, "auto");

        Assert.Contains("worker_processes auto;\n", main, StringComparison.Ordinal);
        Assert.Contains("pid \"/srv/dm/nginx/logs/nginx.pid\";\n", main, StringComparison.Ordinal);
        Assert.Contains("error_log \"/srv/dm/nginx/logs/error.log\" warn;\n", main, StringComparison.Ordinal);
        Assert.Contains("    include \"/srv/dm/nginx/conf/sites/*.conf\";\n", main, StringComparison.Ordinal);
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Assert.Contains($"{temp}_temp_path \"/srv/dm/nginx/temp/{temp}\";", main, StringComparison.Ordinal);
        }

        var directives = main.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToArray();
        Assert.DoesNotContain(directives, l => l.StartsWith("user ", StringComparison.Ordinal));
        Assert.DoesNotContain(directives, l => l.StartsWith("listen", StringComparison.Ordinal) || l.StartsWith("server ", StringComparison.Ordinal));
        Assert.Equal(main.Count(c => c == '{'), main.Count(c => c == '}'));
    }

    [Fact]
    public void RenderSite_ProbeMarker_LogsMarkedRequestsApartFromUsers()
    {
        var route = new RouteSpec("shop-eu_1", 8080, Canary.Servers) { ProbeMarker = "0123456789abcdef0123456789abcdef" };

        var site = NginxConfigRenderer.RenderSite(route, "127.0.0.1", "/logs/shop-eu_1.access.log", 16, "g1", probeLogPath: "/logs/shop-eu_1.probes.log");

        Assert.Contains("map $http_x_deploymind_probe $dm_users_shop_heu__1 {\n    default 1;\n    \"0123456789abcdef0123456789abcdef\" 0;\n}\n", site, StringComparison.Ordinal);
        Assert.Contains("map $http_x_deploymind_probe $dm_probes_shop_heu__1 {\n    default 0;\n    \"0123456789abcdef0123456789abcdef\" 1;\n}\n", site, StringComparison.Ordinal);
        Assert.Contains("    access_log \"/logs/shop-eu_1.access.log\" dm_json_shop-eu_1 if=$dm_users_shop_heu__1;\n", site, StringComparison.Ordinal);
        Assert.Contains("    access_log \"/logs/shop-eu_1.probes.log\" dm_json_shop-eu_1 if=$dm_probes_shop_heu__1;\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", NginxRouteComment.Format(route), StringComparison.Ordinal);

        // Without a marker: one log, no condition.
        var plain = Render(Canary);
        Assert.DoesNotContain("map $http_x_deploymind_probe", plain, StringComparison.Ordinal);
        Assert.Contains("    access_log \"/logs/shop.access.log\" dm_json_shop;\n", plain, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("0123456789abcdef\"; evil")]
    public void RenderSite_BadProbeMarker_IsRefused(string marker)
    {
        var route = Canary with { ProbeMarker = marker };

        Assert.Throws<InvalidInputException>(() => NginxConfigRenderer.RenderSite(route, "127.0.0.1", "/logs/shop.access.log", 16, "g1", probeLogPath: "/logs/shop.probes.log"));
    }

    private static string Render(RouteSpec route) => NginxConfigRenderer.RenderSite(route, "127.0.0.1", "/logs/shop.access.log", 16, "g1");
}
