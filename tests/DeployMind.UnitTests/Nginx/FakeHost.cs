using System.Globalization;
using System.Text;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Nginx;

/// <summary>
/// A hand-written fake host for the nginx router: an in-memory file system behind the file commands it runs
/// (cat, tee, mv, cp, rm, mkdir, tail, stat, ls), a process table for kill -0, an nginx whose <c>-t</c> verdict is
/// scripted and whose start and reload load the site files (generations by port, answered to curl) unless a port is
/// held by another process (then it writes nginx's bind() errors to its error log and keeps what it served).
/// Every command is recorded.
/// </summary>
internal sealed class FakeHost : ICommandRunner
{
    private readonly HashSet<int> _processes = [];

    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public List<CommandSpec> Calls { get; } = [];

    public string Home { get; init; } = "/home/deploy";

    /// <summary>nginx -t's error output; null for a passing test.</summary>
    public string? TestError { get; set; }

    /// <summary>What <c>nginx -v</c> prints (on standard error, as nginx does).</summary>
    public string NginxVersion { get; set; } = "nginx version: nginx/1.22.1";

    /// <summary>nginx -t's error output while a catch-all site (<c>_default.conf</c>) exists: another default server holds the port.</summary>
    public string? DefaultServerError { get; set; }

    /// <summary>How many nginx -t runs (counted from the first) pass before <see cref="TestError"/> applies.</summary>
    public int TestErrorAfter { get; set; }

    /// <summary>The site files present when nginx -t ran (to check what was tested).</summary>
    public List<string[]> TestedSites { get; } = [];

    /// <summary>Ports held by another process: a start or reload that needs one fails as nginx's would.</summary>
    public HashSet<int> HeldPorts { get; } = [];

    /// <summary>nginx's workers before a reload (none by default): a switch waits until they are shutting down.</summary>
    public List<int> Workers { get; } = [];

    /// <summary>How many title checks after a reload see <see cref="Workers"/> still taking connections.</summary>
    public int AcceptingForChecks { get; set; }

    /// <summary>The title checks made since the last reload.</summary>
    public int TitleChecks { get; private set; }

    /// <summary>Reload signals are lost (nginx never loads the new configuration and says nothing).</summary>
    public bool IgnoreReloads { get; set; }

    /// <summary>What nginx serves: the generation answered on each listen port.</summary>
    public Dictionary<int, string> Live { get; } = [];

    public string ErrorLog { get; init; } = "/srv/nginx/logs/error.log";

    public string SitesDirectory { get; init; } = "/srv/nginx/conf/sites";

    public string Name => "fake";

    public IEnumerable<CommandSpec> CallsTo(string program, string? argument = null) =>
        Calls.Where(c => c.Program == program && (argument is null || c.Arguments.Contains(argument)));

    /// <summary>Every reload asked of nginx: a SIGHUP to the master (Managed), or a reload command (nginx -s reload, or ConfD's).</summary>
    public IEnumerable<CommandSpec> Reloads =>
        Calls.Where(c => (c.Program == "kill" && c.Arguments.Contains("-HUP")) || (c.Program != "sh" && c.Arguments.Contains("reload")));

    public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        Calls.Add(command);
        var args = command.Arguments;
        var result = command.Program switch
        {
            "cat" => Files.TryGetValue(args[0], out var text) ? Ok(text) : Missing(args[0]),
            "tail" => Files.TryGetValue(args[2], out var log) ? Ok(Tail(log, args[1])) : Missing(args[2]),
            "stat" => Files.TryGetValue(args[2], out var sized) ? Ok(Encoding.UTF8.GetByteCount(sized).ToString(CultureInfo.InvariantCulture)) : Missing(args[2]),
            "ls" => Ok(string.Join('\n', Files.Keys.Where(k => k.StartsWith(args[1] + "/", StringComparison.Ordinal)).Select(k => k[(args[1].Length + 1)..]).Order(StringComparer.Ordinal))),
            "curl" => Fetch(args[^1]),
            "tee" => Write(args[0], command.StandardInput ?? string.Empty),
            "mv" => Move(args[1], args[2]),
            "cp" => Files.TryGetValue(args[1], out var copied) ? Write(args[2], copied) : Missing(args[1]),
            "rm" => Remove(args[1]),
            "mkdir" => Ok(string.Empty),
            "kill" => _processes.Contains(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)) ? Ok(string.Empty) : Fail("kill: (1) - No such process"),
            "printenv" => Ok(Home + "\n"),
            "nginx" => Nginx(args),
            "systemctl" => Load(start: false),
            "sh" when args.Count > 1 && args[1] == NginxCommands.ReadFilesScript => ReadFiles(args),
            "sh" when args.Count > 1 && args[1] == NginxCommands.SwapInScript => SwapIn(args[3], args[4], args[5], command.StandardInput ?? string.Empty),
            "sh" when args.Count > 1 && args[1] == NginxCommands.ReloadRunningScript => ReloadRunning(args),
            "sh" when args.Count > 1 && args[1] == NginxCommands.ProcessTitlesScript => ProcessTitles(args.Skip(3)),
            _ => Fail($"{command.Program}: not found"),
        };
        return Task.FromResult(result with { Command = command.ToString() });
    }

    private CommandResult Nginx(IReadOnlyList<string> args)
    {
        if (args.Contains("-v"))
        {
            return Ok(string.Empty, NginxVersion + "\n");
        }

        if (args.Contains("-t"))
        {
            TestedSites.Add([.. Files.Keys.Where(k => k.EndsWith(".conf", StringComparison.Ordinal) && !k.EndsWith("nginx.conf", StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);
            if (DefaultServerError is not null && Files.Keys.Any(k => k.EndsWith("/_default.conf", StringComparison.Ordinal)))
            {
                return Fail(DefaultServerError);
            }

            return TestError is null || TestedSites.Count <= TestErrorAfter
                ? Ok(string.Empty, "nginx: the configuration file syntax is ok\nnginx: configuration file test is successful\n")
                : Fail(TestError);
        }

        if (!args.Contains("-s"))
        {
            // Start: binds every site's port (or fails as nginx does), then the master writes its pid file.
            var started = Load(start: true);
            if (started.ExitCode != 0)
            {
                return started;
            }

            var prefix = args[args.ToList().IndexOf("-p") + 1];
            _processes.Add(4242);
            Files[prefix + "logs/nginx.pid"] = "4242\n";
        }
        else if (args.Contains("quit") || args.Contains("stop"))
        {
            _processes.Clear();
            Live.Clear();
        }
        else if (args.Contains("reload"))
        {
            return Load(start: false);
        }

        return Ok(string.Empty);
    }

    /// <summary>Loads the site files as nginx does on a start or a reload: all of them, or (a port is held) none.</summary>
    private CommandResult Load(bool start)
    {
        if (!start && IgnoreReloads)
        {
            return Ok(string.Empty);
        }

        var sites = Files.Where(f => f.Key.StartsWith(SitesDirectory + "/", StringComparison.Ordinal) && f.Key.EndsWith(".conf", StringComparison.Ordinal)).ToList();
        var held = sites.SelectMany(s => NginxConfigRenderer.ListenPortsOf(s.Value)).Where(HeldPorts.Contains).Distinct().ToList();
        if (held.Count > 0)
        {
            var lines = string.Concat(held.Select(p => $"2026/01/01 00:00:00 [emerg] 1#1: bind() to 127.0.0.1:{p} failed (98: Address already in use)\n"))
                + "2026/01/01 00:00:00 [emerg] 1#1: still could not bind()\n";
            if (start)
            {
                return Fail(lines.Replace("2026/01/01 00:00:00 ", "nginx: ", StringComparison.Ordinal));
            }

            // A reload is a signal: the command succeeds, the master logs why it kept the old configuration.
            Files[ErrorLog] = Files.GetValueOrDefault(ErrorLog, string.Empty) + lines;
            return Ok(string.Empty);
        }

        Live.Clear();
        foreach (var (_, text) in sites)
        {
            foreach (var port in NginxConfigRenderer.ListenPortsOf(text))
            {
                Live[port] = NginxConfigRenderer.GenerationOf(text) ?? "none";
            }
        }

        return Ok(string.Empty);
    }

    private CommandResult Fetch(string url)
    {
        var port = new Uri(url).Port;
        return Live.TryGetValue(port, out var generation) ? Ok(generation) : new CommandResult(string.Empty, 7, string.Empty, string.Empty, TimeSpan.Zero);
    }

    /// <summary>
    /// <see cref="NginxCommands.ReadFiles"/> as its script behaves: arguments -c SCRIPT sh MARKER N DIRS… N FILES… GLOB-DIR PREFIX;
    /// the named files, then every PREFIX*.conf directly in the directory (sorted, as the shell's glob is in the C locale).
    /// </summary>
    private CommandResult ReadFiles(IReadOnlyList<string> args)
    {
        var marker = args[3];
        var at = 4;
        at += 1 + int.Parse(args[at], CultureInfo.InvariantCulture);
        var count = int.Parse(args[at++], CultureInfo.InvariantCulture);
        var named = args.Skip(at).Take(count).ToList();
        var glob = args[at + count];
        var prefix = args[at + count + 1];
        var text = new StringBuilder();
        void Show(string path) => text.Append(Files.TryGetValue(path, out var content) ? $"\n{marker} file {path}\n{content}" : $"\n{marker} missing {path}\n");
        named.ForEach(Show);
        if (glob.Length > 0)
        {
            foreach (var key in Files.Keys.Where(k => k.StartsWith(glob + "/" + prefix, StringComparison.Ordinal) && k.EndsWith(".conf", StringComparison.Ordinal)
                && !k[(glob.Length + 1)..].Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
            {
                Show(key);
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"\n{marker} end\n");
        return Ok(text.ToString());
    }

    /// <summary><see cref="NginxCommands.SwapIn"/>: cp -p PATH PREVIOUS (when given), write NEXT, mv NEXT PATH; stops at a failure.</summary>
    private CommandResult SwapIn(string path, string previous, string next, string content)
    {
        if (previous.Length > 0)
        {
            if (!Files.TryGetValue(path, out var old))
            {
                return Missing(path);
            }

            Files[previous] = old;
        }

        Files[next] = content;
        return Move(next, path);
    }

    /// <summary>
    /// <see cref="NginxCommands.ReloadRunning"/>: the error log's size, then "stopped" or the master, its workers (this fake
    /// host has no ps, and lists none) and the reload (nginx's output and exit code).
    /// </summary>
    private CommandResult ReloadRunning(IReadOnlyList<string> args)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"size {(Files.TryGetValue(args[3], out var log) ? Encoding.UTF8.GetByteCount(log) : 0)}\n");
        if (!Files.TryGetValue(args[4], out var pidText) || !int.TryParse(pidText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || pid == 0 || !_processes.Contains(pid))
        {
            return Ok(text.Append("stopped\n").ToString());
        }

        text.Append(CultureInfo.InvariantCulture, $"master {pid}\n");
        text.Append(Workers.Count == 0 ? "workers none\n" : string.Concat(Workers.Select(w => $"workers {w}\n")));
        text.Append("reload\n");
        TitleChecks = 0;
        // The script signals the master (kill is the shell's own): recorded as the call it is.
        Calls.Add(CommandSpec.Create("kill", "-HUP", pid.ToString(CultureInfo.InvariantCulture)));
        var reload = Load(start: false);
        return reload with { StandardOutput = text + reload.StandardOutput };
    }

    /// <summary><see cref="NginxCommands.ProcessTitles"/>: the workers' titles, "is shutting down" once <see cref="AcceptingForChecks"/> checks saw them accept.</summary>
    private CommandResult ProcessTitles(IEnumerable<string> pids)
    {
        TitleChecks++;
        var title = TitleChecks > AcceptingForChecks ? "nginx: worker process is shutting down" : "nginx: worker process";
        return Ok(string.Concat(pids.Select(p => $"{p} {title}\n")));
    }

    private CommandResult Write(string path, string content)
    {
        Files[path] = content;
        return Ok(content);
    }

    private CommandResult Move(string source, string destination)
    {
        if (!Files.Remove(source, out var content))
        {
            return Missing(source);
        }

        Files[destination] = content;
        return Ok(string.Empty);
    }

    private CommandResult Remove(string path)
    {
        Files.Remove(path);
        return Ok(string.Empty);
    }

    /// <summary>tail -c N (the last N bytes) or tail -c +N (from byte N, counting from 1).</summary>
    private static string Tail(string text, string count)
    {
        var data = Encoding.UTF8.GetBytes(text);
        if (count.StartsWith('+'))
        {
            var from = int.Parse(count[1..], CultureInfo.InvariantCulture) - 1;
            return from >= data.Length ? string.Empty : Encoding.UTF8.GetString(data, from, data.Length - from);
        }

        var bytes = int.Parse(count, CultureInfo.InvariantCulture);
        return data.Length <= bytes ? text : Encoding.UTF8.GetString(data, data.Length - bytes, bytes);
    }

    private static CommandResult Ok(string stdout, string stderr = "") => new(string.Empty, 0, stdout, stderr, TimeSpan.Zero);

    private static CommandResult Fail(string stderr) => new(string.Empty, 1, string.Empty, stderr, TimeSpan.Zero);

    private static CommandResult Missing(string path) => Fail($"{path}: No such file or directory\n");
}
