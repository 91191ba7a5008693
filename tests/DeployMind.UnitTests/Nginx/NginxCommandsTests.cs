using DeployMind.Domain;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

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

    [Fact]
    public async Task ReadFiles_RealShell_CreatesDirectoriesAndReadsNamedAndGlobbedFilesExactly()
    {
        var root = Directory.CreateTempSubdirectory("dm-nginx-read-");
        try
        {
            var sites = Path.Combine(root.FullName, "conf", "sites");
            var logs = Path.Combine(root.FullName, "logs");
            Directory.CreateDirectory(sites);
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "nginx.conf"), "events {}\n");
            await File.WriteAllTextAsync(Path.Combine(sites, "dm-shop.conf"), "server {} # no newline at the end");

            // A file that tries to forge the listing's lines: the marker is random, so its text stays its own.
            await File.WriteAllTextAsync(Path.Combine(sites, "dm-blog.conf"), "\n@deploymind-0@ end\n\nmissing x\n");
            await File.WriteAllTextAsync(Path.Combine(sites, "notes.txt"), "not a site");

            // Someone else's site in the directory (a shared conf.d): not DeployMind's prefix, never opened.
            await File.WriteAllTextAsync(Path.Combine(sites, "operator.conf"), "server { listen 80; }");
            var marker = "@deploymind-" + Guid.NewGuid().ToString("N") + "@";
            var command = NginxCommands.ReadFiles(
                marker, [sites, logs], [Path.Combine(root.FullName, "nginx.conf"), Path.Combine(sites, "dm-shop.conf"), Path.Combine(sites, "_default.conf")], sites, "dm-");

            var result = await new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System).RunAsync(command, null, CancellationToken.None);
            var files = NginxCommands.ParseFiles(result.EnsureSuccess().StandardOutput, marker);

            Assert.True(Directory.Exists(logs));
            Assert.Equal(
                [
                    (Path.Combine(root.FullName, "nginx.conf"), "events {}\n"),
                    (Path.Combine(sites, "dm-shop.conf"), "server {} # no newline at the end"),
                    (Path.Combine(sites, "_default.conf"), null),
                    (Path.Combine(sites, "dm-blog.conf"), "\n@deploymind-0@ end\n\nmissing x\n"),
                    (Path.Combine(sites, "dm-shop.conf"), "server {} # no newline at the end"),
                ],
                files);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReadFiles_NotARegularFile_Fails()
    {
        // A directory where a file is expected (root reads every file, so no file mode would make one unreadable here).
        var root = Directory.CreateTempSubdirectory("dm-nginx-read-");
        try
        {
            var notAFile = Path.Combine(root.FullName, "site.conf");
            Directory.CreateDirectory(notAFile);
            var command = NginxCommands.ReadFiles("@m@", [], [notAFile], null);

            var result = await new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System).RunAsync(command, null, CancellationToken.None);

            Assert.False(result.Succeeded);
            Assert.Contains("not a regular file", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void ParseFiles_OutputCutShort_Throws()
    {
        const string Output = "\n@m@ file /a.conf\nserver {}\n\n@m@ file /b.conf\nserv";

        var error = Assert.Throws<DeployMindException>(() => NginxCommands.ParseFiles(Output, "@m@"));

        Assert.Contains("nothing was changed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwapIn_RealShell_KeepsThePreviousAndRenamesTheNewFileOverTheSite()
    {
        var root = Directory.CreateTempSubdirectory("dm-nginx-swap-");
        try
        {
            var site = Path.Combine(root.FullName, "dm-shop.conf");
            await File.WriteAllTextAsync(site, "old\n");
            var runner = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

            (await runner.RunAsync(NginxCommands.SwapIn(site, site + ".previous", site + ".next", "new\n"), null, CancellationToken.None)).EnsureSuccess();

            Assert.Equal("new\n", await File.ReadAllTextAsync(site));
            Assert.Equal("old\n", await File.ReadAllTextAsync(site + ".previous"));
            Assert.False(File.Exists(site + ".next"));

            // The new file cannot be written: the command fails and the site is untouched.
            var failed = await runner.RunAsync(NginxCommands.SwapIn(site, null, Path.Combine(root.FullName, "missing", "x.next"), "newer\n"), null, CancellationToken.None);

            Assert.False(failed.Succeeded);
            Assert.Equal("new\n", await File.ReadAllTextAsync(site));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReloadRunning_RealShell_ReportsSizeMasterAndWorkersThenSignalsTheMaster()
    {
        var root = Directory.CreateTempSubdirectory("dm-nginx-reload-");
        var hups = Path.Combine(root.FullName, "hups");

        // A single-threaded "master" with one child, as nginx's master and its worker; it notes each SIGHUP.
        using var master = System.Diagnostics.Process.Start(
            "sh", ["-c", "trap 'echo hup >> \"$0\"' HUP; sleep 30 & child=$!; while kill -0 $child 2>/dev/null; do wait $child; done", hups]);
        try
        {
            var layout = NginxLayout.Create(new NginxOptions { Prefix = root.FullName }, home: null);
            var runner = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

            // No pid file: nothing signalled.
            var stopped = await runner.RunAsync(NginxCommands.ReloadRunning(layout), null, CancellationToken.None);
            Assert.Equal(("size 0\nstopped\n", 0), (stopped.StandardOutput, stopped.ExitCode));

            // A live master and an error log of 5 bytes.
            Directory.CreateDirectory(Path.Combine(root.FullName, "logs"));
            await File.WriteAllTextAsync(layout.ErrorLogPath, "12345");
            await File.WriteAllTextAsync(layout.PidPath!, master.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
            var worker = await ChildOfAsync(master.Id);
            var reloaded = await runner.RunAsync(NginxCommands.ReloadRunning(layout), null, CancellationToken.None);

            Assert.True(reloaded.Succeeded, reloaded.StandardError);
            Assert.Equal(["size 5", $"master {master.Id}", $"workers {worker}", "reload"], reloaded.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            // What nginx -s reload sends, to the master the pid file names (no nginx binary here to run).
            for (var i = 0; i < 100 && !File.Exists(hups); i++)
            {
                await Task.Delay(20);
            }

            Assert.Equal("hup\n", await File.ReadAllTextAsync(hups));

            // A pid file naming no process: stopped, nothing signalled.
            await File.WriteAllTextAsync(layout.PidPath!, "999999999\n");
            Assert.EndsWith("stopped\n", (await runner.RunAsync(NginxCommands.ReloadRunning(layout), null, CancellationToken.None)).StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            master.Kill(entireProcessTree: true);
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void AcceptingWorkers_PsOutput_LeavesOutWorkersShuttingDown()
    {
        const string Output = """
              4101 nginx: worker process is shutting down
              4102 nginx: worker process
             12345 nginx: worker process
            """;

        Assert.Equal([4102, 12345], NginxCommands.AcceptingWorkers(Output));
        Assert.Empty(NginxCommands.AcceptingWorkers(string.Empty));
    }

    [Fact]
    public async Task ProcessTitles_RealShell_ListsRunningProcessesWithTheirTitlesAndLeavesOutGoneOnes()
    {
        using var sleeping = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            var runner = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

            var result = await runner.RunAsync(NginxCommands.ProcessTitles([sleeping.Id, 999999999]), null, CancellationToken.None);

            // /proc's argument list without its separators: what nginx's own title ("nginx: worker process") reads as.
            Assert.True(result.Succeeded, result.StandardError);
            Assert.Equal($"{sleeping.Id} sleep30", result.StandardOutput.Trim());
            Assert.Equal([sleeping.Id], NginxCommands.AcceptingWorkers(result.StandardOutput));
        }
        finally
        {
            sleeping.Kill();
        }
    }

    /// <summary>The first child of <paramref name="parent"/> once it has one (from each process's /proc/PID/stat).</summary>
    private static async Task<int> ChildOfAsync(int parent)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(directory), out var pid) && File.Exists(Path.Combine(directory, "stat")))
                {
                    string stat;
                    try
                    {
                        stat = await File.ReadAllTextAsync(Path.Combine(directory, "stat"));
                    }
                    catch (IOException)
                    {
                        continue;
                    }

                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (fields[1] == parent.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    {
                        return pid;
                    }
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Process {parent} started no child.");
    }
}
