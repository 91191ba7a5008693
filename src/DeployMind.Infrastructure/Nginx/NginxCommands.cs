using System.Globalization;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Builds, as data, every command the nginx router runs on a host: nginx itself and the few file commands it needs
/// (so the same router works here and over SSH). Nothing here executes anything.
/// </summary>
internal static class NginxCommands
{
    /// <summary><c>nginx -t</c> for the layout's configuration.</summary>
    public static CommandSpec Test(NginxLayout layout) =>
        layout.Mode == NginxMode.Managed
            ? Managed(layout, "-t")
            : CommandSpec.Create(layout.Binary, "-t", "-c", layout.MainConfigPath);

    /// <summary><c>nginx -v</c>: the version, on standard error ("nginx version: nginx/1.22.1").</summary>
    public static CommandSpec Version(NginxLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return CommandSpec.Create(layout.Binary, "-v");
    }

    /// <summary>Starts the managed instance (nginx daemonises; the command returns once the master runs).</summary>
    public static CommandSpec Start(NginxLayout layout) => Managed(layout);

    /// <summary>Graceful reload: new workers take new connections, old ones finish their requests.</summary>
    public static CommandSpec Reload(NginxLayout layout, IReadOnlyList<string> confDReloadCommand)
    {
        ArgumentNullException.ThrowIfNull(confDReloadCommand);
        if (layout.Mode == NginxMode.Managed)
        {
            return Managed(layout, "-s", "reload");
        }

        return confDReloadCommand.Count == 0
            ? CommandSpec.Create(layout.Binary, "-s", "reload")
            : new CommandSpec(confDReloadCommand[0], confDReloadCommand.Skip(1));
    }

    /// <summary>Graceful stop of the managed instance: workers finish their requests, then exit.</summary>
    public static CommandSpec Quit(NginxLayout layout) => Managed(layout, "-s", "quit");

    /// <summary>Fast stop of the managed instance, for when a graceful one takes too long.</summary>
    public static CommandSpec Stop(NginxLayout layout) => Managed(layout, "-s", "stop");

    public static CommandSpec Read(string path) => FileCommand("cat", path);

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through standard input (tee's echo is ignored).</summary>
    public static CommandSpec Write(string path, string content) => FileCommand("tee", path) with { StandardInput = content };

    /// <summary>The last <paramref name="bytes"/> bytes of <paramref name="path"/> (the first line may be cut).</summary>
    public static CommandSpec Tail(string path, long bytes) =>
        FileCommand("tail", "-c", bytes.ToString(CultureInfo.InvariantCulture), path);

    /// <summary>
    /// Managed: moves each <c>*.access.log</c> in the access log directory larger than <paramref name="maxBytes"/> to
    /// <c>&lt;log&gt;.1</c>, printing "rotated TAB path TAB size" for each, then has nginx write new logs (when it moved any):
    /// <c>-s reopen</c>, or <c>-s reload</c> when run by root (whose workers, nobody, may not reach the prefix to reopen by path).
    /// </summary>
    public static CommandSpec RotateLogs(NginxLayout layout, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        const string Script = """
            dir=$1 max=$2
            shift 2
            moved=0
            for f in "$dir"/*.access.log; do
              [ -f "$f" ] || continue
              size=$(stat -c %s -- "$f") || continue
              if [ "$size" -gt "$max" ] && mv -f -- "$f" "$f.1"; then
                moved=1
                printf 'rotated\t%s\t%s\n' "$f" "$size"
              fi
            done
            [ "$moved" = 0 ] && exit 0
            # Run by root, the workers are nobody and may not reach the prefix to reopen a log by its path (a 0700 home):
            # a reload has the master open the new files. Otherwise the workers run as this user and reopen them.
            if [ "$(id -u)" = 0 ]; then exec "$@" -s reload; else exec "$@" -s reopen; fi
            """;
        var nginx = Managed(layout);
        return FileCommand("sh", ["-c", Script, "sh", layout.AccessLogDirectory, maxBytes.ToString(CultureInfo.InvariantCulture), nginx.Program, .. nginx.Arguments]);
    }

    /// <summary>Everything of <paramref name="path"/> after its first <paramref name="offset"/> bytes.</summary>
    public static CommandSpec TailFrom(string path, long offset) =>
        FileCommand("tail", "-c", "+" + (offset + 1).ToString(CultureInfo.InvariantCulture), path);

    /// <summary>The size of <paramref name="path"/> in bytes.</summary>
    public static CommandSpec Size(string path) => FileCommand("stat", "-c", "%s", path);

    /// <summary>The names in <paramref name="directory"/>, one a line.</summary>
    public static CommandSpec List(string directory) => FileCommand("ls", "-1", directory);

    /// <summary>
    /// GET <paramref name="url"/> on the host, printing the body; fails (exit 22) on a status of 400 or more.
    /// <paramref name="hostName"/> is the Host header for a site that matches a server name.
    /// </summary>
    public static CommandSpec Fetch(Uri url, string? hostName, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(url);
        return CommandSpec.Create(
            "curl",
            [
                "--silent", "--fail", "--max-time", timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), "--noproxy", "*",
                .. hostName is null ? Array.Empty<string>() : ["--header", $"Host: {hostName}"],
                url.ToString(),
            ]);
    }

    /// <summary>Listening TCP sockets with their processes (the processes only where the runner's user may see them).</summary>
    public static CommandSpec Listening() => CommandSpec.Create("ss", "-Htlnp");

    /// <summary>Renames within a directory: atomic, so nginx sees the old file or the new one, never half of one.</summary>
    public static CommandSpec Move(string source, string destination) => FileCommand("mv", "-f", source, destination);

    public static CommandSpec Copy(string source, string destination) => FileCommand("cp", "-p", source, destination);

    public static CommandSpec MakeDirectories(params string[] paths) => FileCommand("mkdir", ["-p", .. paths]);

    public static CommandSpec Remove(string path) => FileCommand("rm", "-f", path);

    /// <summary>Exits 0 when process <paramref name="pid"/> exists (and may be signalled).</summary>
    public static CommandSpec IsAlive(int pid) => CommandSpec.Create("kill", "-0", pid.ToString(CultureInfo.InvariantCulture));

    /// <summary>The process ids of <paramref name="parent"/>'s children (nginx's master: its workers), one a line; exit 1 when it has none.</summary>
    public static CommandSpec Children(int parent) => CommandSpec.Create("ps", "-o", "pid=", "--ppid", parent.ToString(CultureInfo.InvariantCulture));

    /// <summary>The home directory of the user the runner runs as.</summary>
    public static CommandSpec Home() => CommandSpec.Create("printenv", "HOME");

    /// <summary>A file command in the C locale, so its error messages ("No such file or directory") read the same on every host.</summary>
    private static CommandSpec FileCommand(string program, params string[] arguments) =>
        new CommandSpec(program, arguments).WithEnvironment("LC_ALL", "C");

    private static CommandSpec Managed(NginxLayout layout, params string[] extra)
    {
        if (layout.Prefix is null)
        {
            throw new InvalidOperationException("Only a managed nginx instance has a prefix to start, stop or signal.");
        }

        // -e: the error log before the configuration is read; the packaged default (/var/log/nginx) is not writable
        // for a normal user. -c and -e are relative to the prefix (-p, with its trailing slash).
        return new CommandSpec(layout.Binary, ["-p", layout.Prefix + "/", "-c", "conf/nginx.conf", "-e", "logs/error.log", .. extra]);
    }
}
