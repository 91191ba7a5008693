using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DeployMind.UnitTests.Nginx;

/// <summary>The router's command sequences against a fake host (the real nginx is in the integration tests).</summary>
public sealed class NginxTrafficRouterTests
{
    private const string Site = "/srv/nginx/conf/sites/shop.conf";

    private static readonly RouteSpec V1 = new("shop", 8080, [new("127.0.0.1:5001", 1, "v1")]);
    private static readonly RouteSpec V2 = new("shop", 8080, [new("127.0.0.1:5001", 90, "v1"), new("127.0.0.1:5002", 10, "v2")]);

    [Fact]
    public async Task ApplyAsync_FirstRoute_WritesConfigTestsThenStartsNginx()
    {
        var host = new FakeHost();
        using var router = Router(host);

        await router.ApplyAsync(V1, CancellationToken.None);

        Assert.Contains("include \"/srv/nginx/conf/sites/*.conf\";", host.Files["/srv/nginx/conf/nginx.conf"], StringComparison.Ordinal);
        Assert.Equal(V1.Servers, NginxRouteComment.Parse(host.Files[Site])!.Servers);
        Assert.Equal([Site], Assert.Single(host.TestedSites));
        var nginx = host.CallsTo("nginx").Select(c => string.Join(' ', c.Arguments)).ToArray();
        Assert.Equal(
            ["-p /srv/nginx/ -c conf/nginx.conf -e logs/error.log -t", "-p /srv/nginx/ -c conf/nginx.conf -e logs/error.log"],
            nginx);
        Assert.DoesNotContain(host.Files.Keys, k => k.EndsWith(".next", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApplyAsync_Running_ReloadsGracefullyAndKeepsPreviousVersion()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var first = host.Files[Site];

        await router.ApplyAsync(V2, CancellationToken.None);

        Assert.Equal(first, host.Files[Site + ".previous"]);
        Assert.Equal(V2.Servers, (await router.GetAsync("shop", CancellationToken.None))!.Servers);
        // The master named by the pid file is signalled as nginx -s reload would, without nginx parsing its configuration again.
        Assert.Equal("kill -HUP 4242", host.Reloads.Last().ToString());
    }

    [Fact]
    public async Task ApplyAsync_TestFails_RestoresPreviousSiteThrowsNginxErrorAndDoesNotReload()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var working = host.Files[Site];
        host.TestError = "nginx: [emerg] host not found in upstream \"x.invalid:1\" in /srv/nginx/conf/sites/shop.conf:8\n"
            + "nginx: configuration file /srv/nginx/conf/nginx.conf test failed\n";
        var callsBefore = host.Calls.Count;

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V2, CancellationToken.None));

        Assert.Contains("[emerg] host not found in upstream \"x.invalid:1\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("app 'shop'", error.Message, StringComparison.Ordinal);
        Assert.Equal(working, host.Files[Site]);
        Assert.DoesNotContain(host.Calls.Skip(callsBefore), c => c.Arguments.Contains("-s"));
        Assert.Equal(V1.Servers, (await router.GetAsync("shop", CancellationToken.None))!.Servers);
    }

    [Fact]
    public async Task ApplyAsync_TestFailsWithoutPreviousSite_LeavesNoSite()
    {
        var host = new FakeHost { TestError = "nginx: [emerg] unexpected \"}\"\n" };
        using var router = Router(host);

        await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V1, CancellationToken.None));

        Assert.False(host.Files.ContainsKey(Site));
        Assert.Null(await router.GetAsync("shop", CancellationToken.None));
        Assert.DoesNotContain(host.CallsTo("nginx"), c => !c.Arguments.Contains("-t"));
    }

    [Fact]
    public async Task ApplyAsync_InvalidRoute_ThrowsBeforeRunningAnything()
    {
        var host = new FakeHost();
        using var router = Router(host);

        await Assert.ThrowsAsync<InvalidInputException>(() => router.ApplyAsync(V1 with { App = "shop;evil" }, CancellationToken.None));

        Assert.Empty(host.Calls);
    }

    [Fact]
    public async Task ApplyAsync_HomeRelativePrefix_UsesTheHostsHome()
    {
        var host = new FakeHost { Home = "/home/ops", SitesDirectory = "/home/ops/.deploymind/nginx/conf/sites" };
        using var router = new NginxTrafficRouter(host, new NginxOptions(), TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);

        await router.ApplyAsync(V1, CancellationToken.None);

        Assert.True(host.Files.ContainsKey("/home/ops/.deploymind/nginx/conf/sites/shop.conf"));
        Assert.Contains("/home/ops/.deploymind/nginx/logs/shop.access.log", host.Files["/home/ops/.deploymind/nginx/conf/sites/shop.conf"], StringComparison.Ordinal);
        Assert.Single(host.CallsTo("printenv"));
    }

    [Fact]
    public async Task ApplyAsync_ConfDMode_WritesPrefixedSiteTestsMainConfigAndRunsReloadCommand()
    {
        var host = new FakeHost { SitesDirectory = "/etc/nginx/conf.d" };
        var options = new NginxOptions
        {
            Mode = NginxMode.ConfD,
            ConfDirectory = "/etc/nginx/conf.d",
            MainConfigPath = "/etc/nginx/nginx.conf",
            ReloadCommand = ["systemctl", "reload", "nginx"],
        };
        using var router = new NginxTrafficRouter(host, options, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);

        await router.ApplyAsync(V1, CancellationToken.None);

        Assert.Contains("access_log \"/var/log/nginx/shop.access.log\"", host.Files["/etc/nginx/conf.d/deploymind-shop.conf"], StringComparison.Ordinal);
        Assert.Equal(["-t", "-c", "/etc/nginx/nginx.conf"], Assert.Single(host.CallsTo("nginx")).Arguments);
        Assert.Equal(["reload", "nginx"], Assert.Single(host.CallsTo("systemctl")).Arguments);
        Assert.False(host.Files.ContainsKey("/etc/nginx/nginx.conf"));
    }

    [Fact]
    public async Task ApplyAsync_Running_ConfirmsNginxServesTheNewGeneration()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var first = NginxConfigRenderer.GenerationOf(host.Files[Site]);

        await router.ApplyAsync(V2, CancellationToken.None);

        var second = NginxConfigRenderer.GenerationOf(host.Files[Site]);
        Assert.NotNull(second);
        Assert.NotEqual(first, second);
        Assert.Equal(second, host.Live[8080]);
        var fetch = host.CallsTo("curl").Last().Arguments;
        Assert.Equal("http://127.0.0.1:8080/.deploymind/route", fetch[^1]);
        Assert.Contains("--fail", fetch);
    }

    [Fact]
    public async Task ApplyAsync_ReloadFailsOnItsOwnHeldPort_ThrowsNginxMessageAndPutsPreviousSiteBack()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var working = host.Files[Site];
        host.HeldPorts.Add(8081);

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V1 with { ListenPort = 8081 }, CancellationToken.None));

        Assert.Contains("did not switch app 'shop'", error.Message, StringComparison.Ordinal);
        Assert.Contains("nginx says:\n[emerg] bind() to 127.0.0.1:8081 failed (98: Address already in use)\n[emerg] still could not bind()\n", error.Message, StringComparison.Ordinal);
        Assert.Contains("Port 8081 is held by another process", error.Message, StringComparison.Ordinal);
        Assert.Contains("It is the new listen port of app 'shop'.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Stop that process, or give the app another port, and deploy again.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("traffic switched", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(working, host.Files[Site]);
        Assert.Equal(NginxConfigRenderer.GenerationOf(working), host.Live[8080]);
        Assert.False(host.Live.ContainsKey(8081));
    }

    [Fact]
    public async Task ApplyAsync_ReplacedWorkersStillAccepting_IsConfirmedOnlyOnceTheyShutDown()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        host.Workers.AddRange([4301, 4302]);
        host.AcceptingForChecks = 3;

        await router.ApplyAsync(V2, CancellationToken.None);

        // The new generation answered at once; the switch still waited for the old workers' titles to say they stopped.
        Assert.Equal(4, host.TitleChecks);
        Assert.Equal(NginxConfigRenderer.GenerationOf(host.Files[Site]), host.Live[8080]);
    }

    [Fact]
    public async Task ApplyAsync_WaitingForTheNewGeneration_ReadsTheErrorLogEvery50MsNotAtEveryPoll()
    {
        // The new generation is asked every 10 ms; nginx's error log (a host command each time) only every 50 ms, and once
        // more when the wait ends.
        var host = new FakeHost();
        using var router = new NginxTrafficRouter(host, new NginxOptions { Prefix = "/srv/nginx", ReloadConfirmTimeout = "500ms" }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
        await router.ApplyAsync(V1, CancellationToken.None);
        host.IgnoreReloads = true;
        var fetchesBefore = host.CallsTo("curl").Count();

        await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V2, CancellationToken.None));

        var tails = host.CallsTo("tail").Count();
        var fetches = host.CallsTo("curl").Count() - fetchesBefore;
        Assert.InRange(tails, 2, 12);
        Assert.True(fetches >= 2 * tails, $"{fetches} asks for the generation, {tails} error-log reads");
    }

    [Fact]
    public async Task ApplyAsync_ReloadNeverTakesEffect_FailsAfterTheTimeoutAndLoadsThePreviousSiteAgain()
    {
        var host = new FakeHost();
        using var router = new NginxTrafficRouter(host, new NginxOptions { Prefix = "/srv/nginx", ReloadConfirmTimeout = "200ms" }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
        await router.ApplyAsync(V1, CancellationToken.None);
        var working = host.Files[Site];
        host.IgnoreReloads = true;

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V2, CancellationToken.None));

        Assert.Contains($"after 0.2s nginx still answered generation {NginxConfigRenderer.GenerationOf(working)} on port 8080, not the new one", error.Message, StringComparison.Ordinal);
        Assert.Contains("error log (/srv/nginx/logs/error.log)", error.Message, StringComparison.Ordinal);
        Assert.Equal(working, host.Files[Site]);
        Assert.Equal(2, host.Reloads.Count());
    }

    [Fact]
    public async Task ApplyAsync_AnotherAppsSiteBlocksTheInstance_QuarantinesItAndSwitches()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        const string Other = "/srv/nginx/conf/sites/blog.conf";
        var blog = new RouteSpec("blog", 9090, [new("127.0.0.1:6001", 1, "b1")]);
        host.Files[Other] = NginxConfigRenderer.RenderSite(blog, "127.0.0.1", "/srv/nginx/logs/blog.access.log", 16, "old-broken");
        host.Files[Other + ".previous"] = NginxConfigRenderer.RenderSite(blog with { ListenPort = 9091 }, "127.0.0.1", "/srv/nginx/logs/blog.access.log", 16, "old-good");
        host.HeldPorts.Add(9090);

        await router.ApplyAsync(V2, CancellationToken.None);

        Assert.Equal(NginxConfigRenderer.GenerationOf(host.Files[Site]), host.Live[8080]);
        Assert.Equal("old-broken", NginxConfigRenderer.GenerationOf(host.Files[Other + ".broken"]));
        Assert.Equal("old-good", NginxConfigRenderer.GenerationOf(host.Files[Other]));
        Assert.Equal("old-good", host.Live[9091]);
        Assert.Equal(V2.Servers, (await router.GetAsync("shop", CancellationToken.None))!.Servers);
    }

    [Fact]
    public async Task ApplyAsync_ASiteNotWrittenByDeployMindBlocksTheInstance_FailsNamingItAndMovesNothing()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        const string Foreign = "/srv/nginx/conf/sites/handmade.conf";
        host.Files[Foreign] = "server {\n    listen 127.0.0.1:9090;\n}\n";
        host.HeldPorts.Add(9090);

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V2, CancellationToken.None));

        Assert.Contains($"It is the listen port of {Foreign}, which keeps the whole instance from reloading.", error.Message, StringComparison.Ordinal);
        Assert.True(host.Files.ContainsKey(Foreign));
        Assert.DoesNotContain(host.Files.Keys, k => k.EndsWith(".broken", StringComparison.Ordinal));
        Assert.Equal(V1.Servers, (await router.GetAsync("shop", CancellationToken.None))!.Servers);
    }

    [Fact]
    public async Task ApplyAsync_StoppedInstanceCannotStartBecauseOfAnotherAppsSite_QuarantinesItAndStarts()
    {
        var host = new FakeHost();
        const string Other = "/srv/nginx/conf/sites/blog.conf";
        host.Files[Other] = NginxConfigRenderer.RenderSite(new RouteSpec("blog", 9090, [new("127.0.0.1:6001", 1, "b1")]), "127.0.0.1", "/srv/nginx/logs/blog.access.log", 16, "old-broken");
        host.HeldPorts.Add(9090);
        using var router = Router(host);

        await router.ApplyAsync(V1, CancellationToken.None);

        Assert.Equal(NginxConfigRenderer.GenerationOf(host.Files[Site]), host.Live[8080]);
        Assert.False(host.Files.ContainsKey(Other));
        Assert.True(host.Files.ContainsKey(Other + ".broken"));
        Assert.Equal(2, host.CallsTo("nginx").Count(c => !c.Arguments.Contains("-t")));
    }

    [Fact]
    public async Task ApplyAsync_QuarantineDoesNotHelp_PutsEverySiteBackAndFails()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var working = host.Files[Site];
        const string Other = "/srv/nginx/conf/sites/blog.conf";
        var blog = NginxConfigRenderer.RenderSite(new RouteSpec("blog", 9090, [new("127.0.0.1:6001", 1, "b1")]), "127.0.0.1", "/srv/nginx/logs/blog.access.log", 16, "old-broken");
        host.Files[Other] = blog;
        host.HeldPorts.Add(9090);
        host.TestErrorAfter = host.TestedSites.Count + 1;
        host.TestError = "nginx: [emerg] unexpected end of file\n";

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.ApplyAsync(V2, CancellationToken.None));

        Assert.Contains($"It is the listen port of {Other}", error.Message, StringComparison.Ordinal);
        Assert.Equal(blog, host.Files[Other]);
        Assert.False(host.Files.ContainsKey(Other + ".broken"));
        Assert.Equal(working, host.Files[Site]);
    }

    [Fact]
    public async Task RemoveAsync_ConfirmsTheRemovedSiteIsNoLongerServed()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);
        var curls = host.CallsTo("curl").Count();

        await router.RemoveAsync("shop", CancellationToken.None);

        Assert.False(host.Live.ContainsKey(8080));
        Assert.Equal(curls + 1, host.CallsTo("curl").Count());
    }

    [Fact]
    public void ParseListeners_SsOutput_PortsWithTheirProcesses()
    {
        const string Output = """
            LISTEN 0      511    127.0.0.1:8080  0.0.0.0:* users:(("nginx",pid=4243,fd=6),("nginx",pid=4242,fd=6))
            LISTEN 0      4096   127.0.0.1:9090  0.0.0.0:* users:(("dotnet",pid=21164,fd=129))
            LISTEN 0      128         [::]:22       [::]:*
            """;

        var listeners = NginxTrafficRouter.ParseListeners(Output);

        Assert.Equal([("nginx", 4243), ("nginx", 4242)], listeners[8080]);
        Assert.Equal([("dotnet", 21164)], listeners[9090]);
        Assert.Empty(listeners[22]);
    }

    [Fact]
    public async Task ApplyAsync_SameRouteAlreadyLive_DoesNotReload()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V2, CancellationToken.None);
        var site = host.Files[Site];
        var reloads = host.CallsTo("nginx").Count();

        await router.ApplyAsync(V2, CancellationToken.None);

        Assert.Equal(reloads, host.CallsTo("nginx").Count());
        Assert.Equal(site, host.Files[Site]);
    }

    [Fact]
    public async Task RemoveAsync_Routed_DeletesSiteAndReloads()
    {
        var host = new FakeHost();
        using var router = Router(host);
        await router.ApplyAsync(V1, CancellationToken.None);

        await router.RemoveAsync("shop", CancellationToken.None);

        Assert.False(host.Files.ContainsKey(Site));
        Assert.Null(await router.GetAsync("shop", CancellationToken.None));
        Assert.Equal("kill -HUP 4242", host.Reloads.Last().ToString());
    }

    [Fact]
    public async Task RemoveAsync_NotRouted_DoesNothing()
    {
        var host = new FakeHost();
        using var router = Router(host);

        await router.RemoveAsync("shop", CancellationToken.None);

        Assert.Empty(host.CallsTo("nginx"));
    }

    [Fact]
    public async Task GetAsync_ForeignSiteFile_ThrowsNamingTheFile()
    {
        var host = new FakeHost();
        host.Files[Site] = "server { listen 80; }\n";
        using var router = Router(host);

        var error = await Assert.ThrowsAsync<RouterConfigurationException>(() => router.GetAsync("shop", CancellationToken.None));

        Assert.Contains(Site, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_Running_QuitsGracefullyAndWaits()
    {
        var host = new FakeHost();
        var time = new FakeTimeProvider();
        using var router = new NginxTrafficRouter(host, Options(), time, NullLogger<NginxTrafficRouter>.Instance);
        await router.EnsureRunningAsync(CancellationToken.None);

        await router.StopAsync(CancellationToken.None);

        Assert.Equal(["-p", "/srv/nginx/", "-c", "conf/nginx.conf", "-e", "logs/error.log", "-s", "quit"], host.CallsTo("nginx").Last().Arguments);
        Assert.Empty(host.CallsTo("nginx", "stop"));
    }

    private static NginxOptions Options() => new() { Prefix = "/srv/nginx" };

    private static NginxTrafficRouter Router(FakeHost host) =>
        new(host, Options(), TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
}
