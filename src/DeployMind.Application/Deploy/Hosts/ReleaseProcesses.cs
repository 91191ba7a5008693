using System.Globalization;
using System.Text.RegularExpressions;
using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>One process type of a release other than web: its command and how many containers run it on each host.</summary>
/// <param name="Name">The process type (<c>worker</c>), in container names and the <see cref="ContainerLabels.Process"/> label.</param>
/// <param name="Command">What replaces the image's CMD (a shell line runs under <c>/bin/sh -c</c>).</param>
/// <param name="Replicas">Containers on each host (at least 1; a process with none is left out).</param>
/// <param name="StayUp">How long each must run without exiting or restarting before the release goes on.</param>
public sealed record ProcessSpec(string Name, IReadOnlyList<string> Command, int Replicas, TimeSpan StayUp);

/// <summary>
/// The containers a release runs on each Docker host: <c>web</c> replicas behind nginx (the image's CMD unless a command
/// is set) and the other process types (<c>processes:</c> and the Procfile's lines), checked by <see cref="Of"/>.
/// </summary>
public sealed partial record ReleaseProcesses
{
    public const string Web = "web";

    /// <summary>One web container, nothing else: what a release runs when nothing is configured.</summary>
    public static ReleaseProcesses WebOnly { get; } = new();

    /// <summary>Web containers on each host, balanced by nginx.</summary>
    public int WebReplicas { get; init; } = 1;

    /// <summary>The web command replacing the image's CMD; empty: the image's CMD.</summary>
    public IReadOnlyList<string> WebCommand { get; init; } = [];

    /// <summary>The other process types, by name.</summary>
    public IReadOnlyList<ProcessSpec> Others { get; init; } = [];

    /// <summary>Where the configuration or the Procfile named them, for messages ("Procfile:2").</summary>
    public IReadOnlyDictionary<string, string> Origins { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long a process other than web must stay up when nothing is configured.</summary>
    public static readonly TimeSpan DefaultStayUp = TimeSpan.FromSeconds(5);

    /// <summary>At most this many containers of one process on a host.</summary>
    public const int MaxReplicas = 32;

    /// <summary>
    /// The processes of <paramref name="environment"/>: the Procfile's in <paramref name="appPath"/> (when there is one), the
    /// app's <c>processes</c> over them, the environment's over those (field by field).
    /// </summary>
    /// <exception cref="InvalidInputException">A name, command, replica count or duration is invalid; the message names its key or Procfile line.</exception>
    public static ReleaseProcesses Of(AppOptions app, string environment, string? appPath)
    {
        ArgumentNullException.ThrowIfNull(app);
        var envKey = $"environments.{environment}.processes";
        var procfile = appPath is null ? new Dictionary<string, (string Command, string Origin)>() : ReadProcfile(Path.Combine(appPath, "Procfile"));
        var names = procfile.Keys
            .Concat(app.Processes.Keys)
            .Concat(app.Environment(environment).Processes.Keys)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var web = new ReleaseProcesses();
        var others = new List<ProcessSpec>();
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            app.Processes.TryGetValue(name, out var own);
            app.Environment(environment).Processes.TryGetValue(name, out var here);
            var key = here is not null ? $"{envKey}.{name}" : $"processes.{name}";
            if (!ProcessName().IsMatch(name))
            {
                throw new InvalidInputException($"{(procfile.ContainsKey(name) ? procfile[name].Origin : key)}: '{name}' is not a process name; use letters, digits, '-' and '_', at most 31 (web, worker, clock).");
            }

            var command = here?.Command ?? own?.Command;
            var origin = here?.Command is not null ? $"{envKey}.{name}.command" : own?.Command is not null ? $"processes.{name}.command" : null;
            // The Procfile's web line is already the generated Dockerfile's CMD (an app's own Dockerfile decides its own).
            if (command is null && name != Web && procfile.TryGetValue(name, out var line))
            {
                (command, origin) = (line.Command, line.Origin);
            }

            var replicas = here?.Replicas ?? own?.Replicas ?? 1;
            var replicasKey = here?.Replicas is not null ? $"{envKey}.{name}.replicas" : $"processes.{name}.replicas";
            if (replicas < (name == Web ? 1 : 0) || replicas > MaxReplicas)
            {
                throw new InvalidInputException(name == Web
                    ? $"{replicasKey}: {replicas.ToString(CultureInfo.InvariantCulture)} web replicas; use 1 to {MaxReplicas} (web serves the app; to stop it use deploymind app stop)."
                    : $"{replicasKey}: {replicas.ToString(CultureInfo.InvariantCulture)} replicas; use 0 (off) to {MaxReplicas}.");
            }

            var stayUpText = here?.StayUp ?? own?.StayUp;
            var stayUp = stayUpText is null ? DefaultStayUp : Duration.Parse(stayUpText, here?.StayUp is not null ? $"{envKey}.{name}.stayUp" : $"processes.{name}.stayUp");
            if (stayUp > TimeSpan.FromMinutes(10))
            {
                throw new InvalidInputException($"processes.{name}.stayUp: '{stayUpText}' is too long; at most 10m.");
            }

            if (name == Web)
            {
                web = web with { WebReplicas = replicas, WebCommand = command is null ? [] : Arguments(command, origin!) };
                continue;
            }

            if (replicas == 0)
            {
                continue;
            }

            if (string.IsNullOrWhiteSpace(command))
            {
                throw new InvalidInputException($"{key}.command: the process '{name}' has no command; write what it runs (e.g. command: node worker.js), or add a '{name}:' line to the Procfile.");
            }

            others.Add(new ProcessSpec(name, Arguments(command, origin!), replicas, stayUp));
            origins[name] = origin!;
        }

        return web with { Others = others, Origins = origins };
    }

    /// <summary>
    /// A Procfile command as the container's arguments: plain words as they are (an image without a shell runs them), a
    /// line with shell syntax (quotes, <c>$VAR</c>, <c>&amp;&amp;</c>, redirections, globs) under <c>/bin/sh -c</c> as a Procfile means it.
    /// </summary>
    /// <exception cref="InvalidInputException">The command is empty; the message names <paramref name="origin"/>.</exception>
    public static IReadOnlyList<string> Arguments(string command, string origin)
    {
        var trimmed = command?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new InvalidInputException($"{origin}: the command is empty; write what the process runs.");
        }

        return ShellSyntax().IsMatch(trimmed)
            ? ["/bin/sh", "-c", trimmed]
            : trimmed.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The Procfile's processes (<c>name: command</c> per line; blank lines and # comments skipped), with their lines; none when there is no Procfile.</summary>
    /// <exception cref="InvalidInputException">A line is not a process or a name repeats; the message names the line.</exception>
    public static IReadOnlyDictionary<string, (string Command, string Origin)> ParseProcfile(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var processes = new Dictionary<string, (string Command, string Origin)>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            var at = string.Create(CultureInfo.InvariantCulture, $"Procfile:{i + 1}");
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var match = ProcfileLine().Match(line);
            if (!match.Success)
            {
                throw new InvalidInputException($"{at}: '{line.Trim()}' is not a process; write one per line as name: command (e.g. worker: node worker.js).");
            }

            var name = match.Groups["name"].Value;
            if (name == "release")
            {
                // Heroku's release phase runs once per release and exits; it is not a long-running process.
                continue;
            }

            if (!processes.TryAdd(name, (match.Groups["command"].Value.Trim(), at)))
            {
                throw new InvalidInputException($"{at}: the process '{name}' is named twice ({processes[name].Origin} first); keep one line per process.");
            }
        }

        return processes;
    }

    private static IReadOnlyDictionary<string, (string Command, string Origin)> ReadProcfile(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            return new Dictionary<string, (string Command, string Origin)>();
        }

        if (file.Length > 64 * 1024)
        {
            throw new InvalidInputException($"Procfile: {file.Length.ToString(CultureInfo.InvariantCulture)} bytes is too large for a Procfile (at most 64 KiB).");
        }

        return ParseProcfile(File.ReadAllText(path));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$")]
    private static partial Regex ProcessName();

    [GeneratedRegex(@"^(?<name>[A-Za-z0-9_-]+)\s*:\s*(?<command>\S.*)$")]
    private static partial Regex ProcfileLine();

    [GeneratedRegex(@"[""'`$&|;<>*?(){}\[\]~\\]")]
    private static partial Regex ShellSyntax();
}
