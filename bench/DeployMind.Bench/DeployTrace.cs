using System.Diagnostics;
using System.Globalization;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Bench;

/// <summary>
/// Where a deploy's time goes: every host command and health probe it makes, with when it started and how long it took,
/// and the strategy's own steps as markers. Recording costs a timestamp per command.
/// </summary>
internal sealed class DeployTrace
{
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private long _origin = Stopwatch.GetTimestamp();

    /// <summary>Starts a new deploy's trace (times are from now).</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
            _origin = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>What was recorded since <see cref="Reset"/>, in start order.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries.OrderBy(e => e.StartMs)];
            }
        }
    }

    public static long Now() => Stopwatch.GetTimestamp();

    public void Add(string what, long started, bool marker = false)
    {
        var end = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            _entries.Add(new Entry(what, Stopwatch.GetElapsedTime(_origin, started).TotalMilliseconds, marker ? 0 : Stopwatch.GetElapsedTime(started, end).TotalMilliseconds, marker));
        }
    }

    /// <summary>One host command ("docker container inspect"), health probe, or strategy step (a marker, no duration).</summary>
    public sealed record Entry(string What, double StartMs, double Ms, bool Marker);

    /// <summary>A short name for a host command: the program and what it does, without its variable arguments.</summary>
    public static string Describe(CommandSpec command)
    {
        var a = command.Arguments;
        string Arg(int i) => i < a.Count ? a[i] : string.Empty;
        switch (Path.GetFileName(command.Program))
        {
            case "docker":
                return Arg(0) switch
                {
                    "container" or "image" => $"docker {Arg(0)} {Arg(1)}",
                    "ps" when a.Any(x => x.StartsWith("ancestor=", StringComparison.Ordinal)) => "docker ps --filter ancestor (image in use?)",
                    "ps" => "docker ps --filter label (the app's containers)",
                    _ => $"docker {Arg(0)}",
                };
            case "nginx":
                return a.Contains("-t") ? "nginx -t" : a.Contains("-s") ? $"nginx -s {a[a.ToList().IndexOf("-s") + 1]}" : "nginx (start)";
            case "sh":
                var script = Arg(1);
                return script.Contains("@deploymind-env-file@", StringComparison.Ordinal) ? "sh: write the env file (0600) + docker run"
                    : script.Contains("exec mv -f", StringComparison.Ordinal) ? "sh: keep the previous site, write the new one, rename it in"
                    : script.Contains("/proc/$p/cmdline", StringComparison.Ordinal) ? "sh: are the replaced workers shutting down (confirm)"
                    : script.Contains("pidfile", StringComparison.Ordinal) ? "sh: error log size, nginx's master and workers, SIGHUP to the master"
                    : script.Contains("cat > ", StringComparison.Ordinal) ? "sh: write env file"
                    : script.Contains("rm -f", StringComparison.Ordinal) && script.Contains(".env", StringComparison.Ordinal) ? "sh: remove env file"
                    : script.Contains("rotated", StringComparison.Ordinal) ? "sh: access log rotation check"
                    : script.Contains("missing %s", StringComparison.Ordinal) ? "sh: mkdir + read nginx.conf, the site, the catch-all, every site"
                    : $"sh -c {script.Split('\n')[0]}";
            case "curl":
                return "curl route generation (confirm)";
            case "cat" or "tee" or "stat" or "cp" or "mv" or "rm" or "mkdir" or "tail":
                return $"{command.Program} {Path.GetFileName(a[^1].TrimEnd('/'))}{(a.Count > 2 && command.Program is "mkdir" ? " …" : string.Empty)}";
            default:
                return $"{command.Program} {string.Join(' ', a.Take(2))}";
        }
    }

    /// <summary>Every command run through it is recorded.</summary>
    public sealed class Runner(ICommandRunner inner, DeployTrace trace) : ICommandRunner, IStreamingCommandRunner
    {
        public string Name => inner.Name;

        public async Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
            var started = DeployTrace.Now();
            try
            {
                return await inner.RunAsync(command, onOutput, cancellationToken);
            }
            finally
            {
                trace.Add(Describe(command), started);
            }
        }

        public Task<CommandResult> RunStreamingAsync(CommandSpec command, Func<Stream, CancellationToken, Task>? writeInput, Func<Stream, CancellationToken, Task>? readOutput, CancellationToken cancellationToken) =>
            ((IStreamingCommandRunner)inner).RunStreamingAsync(command, writeInput, readOutput, cancellationToken);
    }

    /// <summary>Every request to the Docker engine's API through it is recorded.</summary>
    public sealed class EngineHandler(HttpMessageHandler inner, DeployTrace trace) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var started = DeployTrace.Now();
            try
            {
                return await base.SendAsync(request, cancellationToken);
            }
            finally
            {
                var path = request.RequestUri!.AbsolutePath;
                trace.Add(
                    path.EndsWith("/containers/json", StringComparison.Ordinal) ? "engine API: list containers (the app's)"
                    : path.EndsWith("/create", StringComparison.Ordinal) ? "engine API: create container"
                    : path.EndsWith("/start", StringComparison.Ordinal) ? "engine API: start container"
                    : path.EndsWith("/stop", StringComparison.Ordinal) ? "engine API: stop container"
                    : path.EndsWith("/json", StringComparison.Ordinal) ? "engine API: inspect container"
                    : $"engine API: {request.Method} {path}",
                    started);
            }
        }
    }

    /// <summary>Every health probe through it is recorded.</summary>
    public sealed class Probe(IHttpProbe inner, DeployTrace trace) : IHttpProbe
    {
        public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, null, timeout, cancellationToken);

        public async Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var started = DeployTrace.Now();
            try
            {
                return await inner.GetAsync(url, hostName, timeout, cancellationToken);
            }
            finally
            {
                trace.Add("health probe (HTTP GET in process)", started);
            }
        }

        public Task<ProbeResult> GetMarkedAsync(Uri url, string? hostName, KeyValuePair<string, string> marker, TimeSpan timeout, CancellationToken cancellationToken) =>
            inner.GetMarkedAsync(url, hostName, marker, timeout, cancellationToken);
    }

    /// <summary>The strategy's steps, as markers in the trace.</summary>
    public sealed class Observer(DeployTrace trace) : IDeployObserver
    {
        public void Step(string host, string message) => trace.Add("» " + message, DeployTrace.Now(), marker: true);

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
        }
    }

    /// <summary>
    /// The bare script's steps from its xtrace (PS4 = "+ $EPOCHREALTIME "): each traced line lasts until the next one
    /// (the last until <paramref name="endEpoch"/>), summed per step of the script.
    /// </summary>
    public static IReadOnlyList<(string Step, double Ms)> BareSteps(string xtrace, double endEpoch)
    {
        var lines = new List<(double At, string Command)>();
        foreach (var line in xtrace.Split('\n'))
        {
            var trimmed = line.TrimStart('+');
            if (trimmed.Length == line.Length)
            {
                continue;
            }

            var parts = trimmed.TrimStart().Split(' ', 2);
            if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var at))
            {
                lines.Add((at, parts[1]));
            }
        }

        var steps = new List<(string Step, double Ms)>();
        for (var i = 0; i < lines.Count; i++)
        {
            var end = i + 1 < lines.Count ? lines[i + 1].At : endEpoch;
            var step = BareStep(lines[i].Command);
            var ms = (end - lines[i].At) * 1000;
            var index = steps.FindIndex(s => s.Step == step);
            if (index < 0)
            {
                steps.Add((step, ms));
            }
            else
            {
                steps[index] = (step, steps[index].Ms + ms);
            }
        }

        return steps;
    }

    private static string BareStep(string command) => command switch
    {
        _ when command.StartsWith("docker run", StringComparison.Ordinal) => "docker run",
        _ when command.StartsWith("curl", StringComparison.Ordinal) && command.Contains("/health", StringComparison.Ordinal) => "health checks: curl",
        _ when command.StartsWith("sleep 0.25", StringComparison.Ordinal) => "health checks: sleep 0.25 between checks",
        _ when command.StartsWith("curl", StringComparison.Ordinal) || command.StartsWith("grep", StringComparison.Ordinal) || command.StartsWith("sleep", StringComparison.Ordinal)
            => "confirm: curl through nginx until it serves the new release",
        _ when command.StartsWith("mkdir", StringComparison.Ordinal) || command.StartsWith("umask", StringComparison.Ordinal) || command.StartsWith("printf", StringComparison.Ordinal)
            => "write the env file (0600)",
        _ when command.StartsWith("cp", StringComparison.Ordinal) => "keep the previous site",
        _ when command.StartsWith("cat", StringComparison.Ordinal) => "write the site",
        _ when command.StartsWith("mv", StringComparison.Ordinal) => "swap the site in (rename)",
        _ when command.StartsWith("nginx", StringComparison.Ordinal) && command.Contains(" -t", StringComparison.Ordinal) => "nginx -t",
        _ when command.StartsWith("nginx", StringComparison.Ordinal) => "nginx -s reload",
        _ when command.StartsWith("docker stop", StringComparison.Ordinal) => "docker stop (old)",
        _ => "shell (arguments, tests, loop counters)",
    };
}
