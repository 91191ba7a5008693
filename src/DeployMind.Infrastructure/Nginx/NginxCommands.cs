using System.Globalization;
using DeployMind.Domain;
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

    /// <summary>The script of <see cref="ReadFiles"/>.</summary>
    internal const string ReadFilesScript = """
        m=$1 n=$2
        shift 2
        while [ "$n" -gt 0 ]; do [ -d "$1" ] || mkdir -p -- "$1" || exit; shift; n=$((n - 1)); done
        show() {
          if [ ! -e "$1" ]; then printf '\n%s missing %s\n' "$m" "$1"; return; fi
          [ -f "$1" ] || { printf '%s: not a regular file\n' "$1" >&2; exit 1; }
          printf '\n%s file %s\n' "$m" "$1"
          # The shell's own read, not cat (no process per file): each line as it is, a last one without its newline too.
          { l=; while IFS= read -r l; do printf '%s\n' "$l"; done; printf '%s' "$l"; } < "$1" || exit
        }
        n=$1
        shift
        while [ "$n" -gt 0 ]; do show "$1"; shift; n=$((n - 1)); done
        if [ -n "$1" ]; then for f in "$1"/"$2"*.conf; do [ -e "$f" ] && show "$f"; done; fi
        printf '\n%s end\n' "$m"
        """;

    /// <summary>
    /// One host command for what a site change reads: creates <paramref name="directories"/>, then prints each of
    /// <paramref name="files"/> and every <c><paramref name="globPrefix"/>*.conf</c> in <paramref name="globDirectory"/> (none
    /// when null: only DeployMind's own, so an operator's unreadable site in a shared directory is never opened), each after a
    /// line "<paramref name="marker"/> file PATH" (or "… missing PATH"), and "… end" last; read back by
    /// <see cref="ParseFiles"/>. The marker is random per call, so no file's text can forge one. Fails (with mkdir's or
    /// the shell's message) when a file exists but is not a regular file or cannot be read. Files are read by the shell
    /// itself (text, as nginx's are), so the whole listing is one process however many sites there are.
    /// </summary>
    public static CommandSpec ReadFiles(string marker, IReadOnlyList<string> directories, IReadOnlyList<string> files, string? globDirectory, string globPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(directories);
        ArgumentNullException.ThrowIfNull(files);
        return FileCommand("sh", [
            "-c", ReadFilesScript, "sh", marker,
            directories.Count.ToString(CultureInfo.InvariantCulture), .. directories,
            files.Count.ToString(CultureInfo.InvariantCulture), .. files,
            globDirectory ?? string.Empty, globPrefix,
        ]);
    }

    /// <summary>
    /// The files in <see cref="ReadFiles"/>' output, in its order: path and text, or null text for a missing one.
    /// Throws when the output was cut short (no end line).
    /// </summary>
    public static IReadOnlyList<(string Path, string? Text)> ParseFiles(string output, string marker)
    {
        ArgumentNullException.ThrowIfNull(output);
        var parts = output.Split("\n" + marker + " ");
        var files = new List<(string Path, string? Text)>();
        for (var i = 1; i < parts.Length; i++)
        {
            var part = parts[i];
            var newline = part.IndexOf('\n', StringComparison.Ordinal);
            var header = newline < 0 ? part : part[..newline];
            if (header == "end")
            {
                return files;
            }

            if (header.StartsWith("file ", StringComparison.Ordinal))
            {
                files.Add((header["file ".Length..], newline < 0 ? string.Empty : part[(newline + 1)..]));
            }
            else if (header.StartsWith("missing ", StringComparison.Ordinal))
            {
                files.Add((header["missing ".Length..], null));
            }
        }

        throw new DeployMindException("The host's listing of the nginx files ended early (no end line), so nothing was changed; deploy again, and look at the host if it happens again.");
    }

    /// <summary>The script of <see cref="SwapIn"/>.</summary>
    internal const string SwapInScript = """
        [ -z "$2" ] || cp -p -- "$1" "$2" || exit
        { l=; while IFS= read -r l; do printf '%s\n' "$l"; done; printf '%s' "$l"; } > "$3" || exit
        exec mv -f -- "$3" "$1"
        """;

    /// <summary>
    /// One host command that replaces <paramref name="path"/> with <paramref name="content"/> (from standard input): copies
    /// the current file to <paramref name="previous"/> first (when given), writes <paramref name="next"/> beside it and
    /// renames it over <paramref name="path"/>, so nginx sees the old file or the new one, never half of one. It stops at
    /// the first step that fails; <paramref name="path"/> changes only with the rename, the last step.
    /// </summary>
    public static CommandSpec SwapIn(string path, string? previous, string next, string content) =>
        FileCommand("sh", "-c", SwapInScript, "sh", path, previous ?? string.Empty, next) with { StandardInput = content };

    /// <summary>The script of <see cref="ReloadRunning"/>.</summary>
    internal const string ReloadRunningScript = """
        log=$1 pidfile=$2
        if size=$(stat -c %s -- "$log" 2>/dev/null); then printf 'size %s\n' "$size"; elif [ ! -e "$log" ]; then printf 'size 0\n'; fi
        pid=
        { read -r pid; } 2>/dev/null < "$pidfile" || [ -n "$pid" ] || pid=
        case $pid in ''|0|*[!0-9]*) printf 'stopped\n'; exit 0;; esac
        kill -0 "$pid" 2>/dev/null || { printf 'stopped\n'; exit 0; }
        printf 'master %s\n' "$pid"
        # The master's children from /proc where the kernel lists them (no process started); ps otherwise.
        children=/proc/$pid/task/$pid/children
        if [ -r "$children" ]; then
          workers=
          { read -r workers; } < "$children"
          if [ -n "$workers" ]; then printf 'workers %s\n' $workers; else printf 'workers none\n'; fi
        else
          workers=$(ps -o pid= --ppid "$pid")
          case $? in
            0) printf 'workers %s\n' $workers ;;
            1) if [ -z "$workers" ]; then printf 'workers none\n'; else printf 'workers ?\n'; fi ;;
            *) printf 'workers ?\n' ;;
          esac
        fi
        # What `nginx -s reload` sends to the master its pid file names, without starting nginx to parse the whole
        # configuration again only to find that pid (nginx -t has just parsed it).
        printf 'reload\n'
        kill -HUP "$pid"
        """;

    /// <summary>
    /// Managed: one host command that reads the error log's size ("size N"; none when it cannot be read), then, when the pid
    /// file names a live master, its workers ("master P", then a "workers PID" line per worker, "workers none" when it has
    /// none, "workers ?" when ps cannot say) and tells it to reload (SIGHUP, what <c>nginx -s reload</c> sends: "reload",
    /// then kill's own output and exit code); "stopped" (exit 0, nothing signalled) otherwise.
    /// </summary>
    public static CommandSpec ReloadRunning(NginxLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return FileCommand("sh", "-c", ReloadRunningScript, "sh", layout.ErrorLogPath, layout.PidPath!);
    }

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

    /// <summary>The script of <see cref="ProcessTitles"/>.</summary>
    internal const string ProcessTitlesScript = """
        if [ ! -r /proc/self/cmdline ]; then
          list=$(IFS=,; printf '%s' "$*")
          exec ps -o pid=,args= -p "$list"
        fi
        for p; do
          t=
          { IFS= read -r t; } 2>/dev/null < "/proc/$p/cmdline" || [ -n "$t" ] || continue
          printf '%s %s\n' "$p" "$t"
        done
        """;

    /// <summary>
    /// "PID TITLE" for each of <paramref name="pids"/> that still runs (nothing for one that is gone): the title from
    /// /proc/PID/cmdline, read by the shell (no process started), or from <c>ps</c> where there is no /proc.
    /// </summary>
    public static CommandSpec ProcessTitles(IEnumerable<int> pids) =>
        CommandSpec.Create("sh", ["-c", ProcessTitlesScript, "sh", .. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>
    /// The nginx workers in <see cref="ProcessTitles"/>' output that still take new connections: every one whose title is
    /// not "nginx: worker process is shutting down" (nginx sets it as it closes its listening sockets).
    /// </summary>
    public static IReadOnlyList<int> AcceptingWorkers(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var accepting = new List<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (int.TryParse(space < 0 ? line : line[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !line.Contains("shutting down", StringComparison.Ordinal))
            {
                accepting.Add(pid);
            }
        }

        return accepting;
    }

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
