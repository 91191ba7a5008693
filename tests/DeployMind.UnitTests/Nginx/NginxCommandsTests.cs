using DeployMind.Infrastructure.Nginx;

namespace DeployMind.UnitTests.Nginx;

public sealed class NginxCommandsTests
{
    private static readonly NginxLayout Managed = NginxLayout.Create(new NginxOptions { Prefix = "/srv/my nginx", Binary = "/usr/sbin/nginx" }, home: null);
    private static readonly NginxLayout ConfD = NginxLayout.Create(new NginxOptions { Mode = NginxMode.ConfD }, home: null);

    [Fact]
    public void Managed_Commands_PassPrefixConfigAndErrorLog()
    {
        var prefix = new[] { "-p", "/srv/my nginx/", "-c", "conf/nginx.conf", "-e", "logs/error.log" };

        Assert.Equal([.. prefix, "-t"], NginxCommands.Test(Managed).Arguments);
        Assert.Equal(prefix, NginxCommands.Start(Managed).Arguments);
        Assert.Equal([.. prefix, "-s", "reload"], NginxCommands.Reload(Managed, ["ignored"]).Arguments);
        Assert.Equal([.. prefix, "-s", "quit"], NginxCommands.Quit(Managed).Arguments);
        Assert.Equal("/usr/sbin/nginx", NginxCommands.Start(Managed).Program);
        Assert.Equal("/usr/sbin/nginx -p '/srv/my nginx/' -c conf/nginx.conf -e logs/error.log -t", NginxCommands.Test(Managed).ToString());
    }

    [Fact]
    public void ConfD_Commands_TestMainConfigAndReloadWithTheConfiguredCommand()
    {
        Assert.Equal(["-t", "-c", "/etc/nginx/nginx.conf"], NginxCommands.Test(ConfD).Arguments);
        Assert.Equal("nginx -s reload", NginxCommands.Reload(ConfD, []).ToString());
        Assert.Equal("sudo systemctl reload nginx", NginxCommands.Reload(ConfD, ["sudo", "systemctl", "reload", "nginx"]).ToString());
        Assert.Throws<InvalidOperationException>(() => NginxCommands.Start(ConfD));
    }

    [Fact]
    public void FileCommands_ArgumentLists_NoShellAndCLocale()
    {
        var write = NginxCommands.Write("/srv/a b.conf", "x; $(id)\n");

        Assert.Equal("tee '/srv/a b.conf'", write.ToString());
        Assert.Equal("x; $(id)\n", write.StandardInput);
        Assert.Equal("C", write.Environment["LC_ALL"]);
        Assert.Equal(["-c", "1048576", "/l/a.log"], NginxCommands.Tail("/l/a.log", 1_048_576).Arguments);
        Assert.Equal(["-f", "/a.next", "/a"], NginxCommands.Move("/a.next", "/a").Arguments);
        Assert.Equal(["-p", "/a", "/a.previous"], NginxCommands.Copy("/a", "/a.previous").Arguments);
        Assert.Equal(["-p", "/x", "/y"], NginxCommands.MakeDirectories("/x", "/y").Arguments);
        Assert.Equal(["-f", "/a"], NginxCommands.Remove("/a").Arguments);
        Assert.Equal("kill -0 4242", NginxCommands.IsAlive(4242).ToString());
        Assert.Equal("printenv HOME", NginxCommands.Home().ToString());
    }

    [Fact]
    public void Layout_ManagedAndConfD_PlacesSitesAndLogs()
    {
        var home = NginxLayout.Create(new NginxOptions(), home: "/home/ops/");

        Assert.Equal("/home/ops/.deploymind/nginx/conf/sites/shop.conf", home.SitePath("shop"));
        Assert.Equal("/home/ops/.deploymind/nginx/logs/shop.access.log", home.AccessLogPath("shop"));
        Assert.Equal("/home/ops/.deploymind/nginx/logs/nginx.pid", home.PidPath);
        Assert.Equal("/etc/nginx/conf.d/deploymind-shop.conf", ConfD.SitePath("shop"));
        Assert.Equal("/var/log/nginx/shop.access.log", ConfD.AccessLogPath("shop"));
        Assert.True(NginxLayout.NeedsHome(new NginxOptions()));
        Assert.False(NginxLayout.NeedsHome(new NginxOptions { Mode = NginxMode.ConfD }));
        Assert.Throws<InvalidOperationException>(() => NginxLayout.Create(new NginxOptions(), home: null));
    }
}
