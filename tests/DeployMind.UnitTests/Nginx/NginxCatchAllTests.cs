using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Nginx;

/// <summary>The catch-all of the shared domain ports: rendered, written with the first domain site, degraded on an old nginx or beside another default server.</summary>
public sealed class NginxCatchAllTests
{
    private const string CatchAll = "/srv/nginx/conf/sites/_default.conf";

    private static readonly RouteSpec Shop = new("shop", 8080, [new("127.0.0.1:5001", 1, "v1")]) { Domains = ["shop.example.com"] };

    private static readonly RouteSpec Plain = new("plain", 8081, [new("127.0.0.1:5002", 1, "v1")]);

    [Fact]
    public void RenderDefaultSite_BothPorts_Answers444AndRejectsHandshakes()
    {
        var site = NginxConfigRenderer.RenderDefaultSite("203.0.113.10", 80, 443);

        Assert.Contains("    listen 203.0.113.10:80 default_server;\n    server_name _;\n    access_log off;\n", site, StringComparison.Ordinal);
        Assert.Contains("    return 444;\n", site, StringComparison.Ordinal);
        Assert.Contains("    listen 203.0.113.10:443 ssl http2 default_server;\n", site, StringComparison.Ordinal);
        Assert.Contains("    ssl_reject_handshake on;\n", site, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy_pass", site, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl_certificate", site, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderDefaultSite_HttpOnly_HasNoTlsServer()
    {
        var site = NginxConfigRenderer.RenderDefaultSite("127.0.0.1", 5002, null);

        Assert.Contains("listen 127.0.0.1:5002 default_server;", site, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl", site, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderDefaultSite("127.0.0.1", null, null));
        Assert.Throws<ArgumentException>(() => NginxConfigRenderer.RenderDefaultSite("127.0.0.1; evil", 80, 443));
    }

    [Theory]
    [InlineData("nginx version: nginx/1.22.1", "1.22.1")]
    [InlineData("nginx version: nginx/1.18.0 (Ubuntu)", "1.18.0")]
    [InlineData("nginx version: openresty/1.21.4.1", "1.21.4")]
    [InlineData("sh: 1: nginx: not found", null)]
    public void ParseVersion_NginxV_ReadsTheVersion(string output, string? expected) =>
        Assert.Equal(expected, NginxTrafficRouter.ParseVersion(output)?.ToString());

    [Fact]
    public async Task ApplyAsync_FirstDomainSite_WritesCatchAllInTheSameTestAndRemovesItWithTheLast()
    {
        var host = new FakeHost();
        using var router = Router(host);

        await router.ApplyAsync(Plain, CancellationToken.None);
        Assert.False(host.Files.ContainsKey(CatchAll));

        await router.ApplyAsync(Shop, CancellationToken.None);
        var site = host.Files[CatchAll];
        Assert.Contains("listen 127.0.0.1:80 default_server;", site, StringComparison.Ordinal);
        Assert.Contains("ssl_reject_handshake on;", site, StringComparison.Ordinal);
        Assert.Contains(CatchAll, host.TestedSites.Last());

        await router.RemoveAsync("shop", CancellationToken.None);
        Assert.False(host.Files.ContainsKey(CatchAll));
        Assert.True(host.Files.ContainsKey("/srv/nginx/conf/sites/plain.conf"));
    }

    [Fact]
    public async Task ApplyAsync_NginxOlderThan1194_CatchAllHasNoHttpsServer()
    {
        var host = new FakeHost { NginxVersion = "nginx version: nginx/1.18.0" };
        using var router = Router(host);

        await router.ApplyAsync(Shop, CancellationToken.None);

        Assert.Contains("listen 127.0.0.1:80 default_server;", host.Files[CatchAll], StringComparison.Ordinal);
        Assert.DoesNotContain("ssl_reject_handshake", host.Files[CatchAll], StringComparison.Ordinal);
        Assert.DoesNotContain(":443", host.Files[CatchAll], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_PortAppOnTheSharedHttpPort_GetsNoCatchAllThere()
    {
        var host = new FakeHost();
        using var router = Router(host);

        await router.ApplyAsync(Plain with { ListenPort = 80 }, CancellationToken.None);
        await router.ApplyAsync(Shop with { ListenPort = 8082 }, CancellationToken.None);

        Assert.DoesNotContain(":80 ", host.Files[CatchAll], StringComparison.Ordinal);
        Assert.Contains("listen 127.0.0.1:443 ssl http2 default_server;", host.Files[CatchAll], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_AnotherDefaultServer_SiteGoesOnWithoutTheCatchAll()
    {
        var host = new FakeHost
        {
            DefaultServerError = "nginx: [emerg] a duplicate default server for 127.0.0.1:80 in /srv/nginx/conf/sites/_default.conf:4\n"
                + "nginx: configuration file /srv/nginx/conf/nginx.conf test failed\n",
        };
        using var router = Router(host);

        await router.ApplyAsync(Shop, CancellationToken.None);

        Assert.False(host.Files.ContainsKey(CatchAll));
        Assert.Equal(Shop.Domains, (await router.GetAsync("shop", CancellationToken.None))!.Domains);

        // Not tried again by this router.
        var tests = host.TestedSites.Count;
        await router.ApplyAsync(Shop with { Servers = [new("127.0.0.1:5003", 1, "v2")] }, CancellationToken.None);
        Assert.Equal(tests + 1, host.TestedSites.Count);
        Assert.False(host.Files.ContainsKey(CatchAll));
    }

    private static NginxTrafficRouter Router(FakeHost host) =>
        new(host, new NginxOptions { Prefix = "/srv/nginx", ReloadConfirmTimeout = "200ms" }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
}
