using System.Diagnostics;
using System.Globalization;
using System.Text;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.Bench;

/// <summary>
/// The cost of one traffic analysis read (what a canary step or blue-green window does every health interval) against
/// the request rate and against how long the step has run: a managed nginx in a temp prefix in front of a static nginx
/// backend, an open-loop load of 10 and then 1,000 requests/s (bounded: in-flight requests capped, loopback only), and
/// every 2 s the step's window read with <see cref="NginxAccessLogReader"/> — locally (host CPU measured as the children's
/// CPU time of this process) and over SSH (the test sshd on 127.0.0.1:2222, when it runs). For comparison, what the
/// reader it replaced moved and cost at the same moment (the last 32 MiB of the log, parsed here).
/// </summary>
internal static class TrafficBenchmark
{
    private const int Interval = 2; // seconds, the default healthCheck.interval
    private const long OldTailBytes = 32 * 1024 * 1024;

    // An SSH command costs seconds on the loaded test sshd (its session setup, whatever the command), which would stretch
    // the 2 s schedule: the SSH analysis reads every 5th interval (its cursor simply covers 10 s then).
    private const int SshEvery = 5;

    private sealed record Read(double Elapsed, long Sent, long Received, double WallMs, double HostCpuMs, double ParseMs, long Requests, double SshWallMs, long SshRequests);

    public static async Task<int> RunAsync(int stepSeconds, string outputPath)
    {
        var prefix = Directory.CreateTempSubdirectory("dm-bench-traffic-").FullName;
        var runner = new LocalProcessRunner(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
        var options = new NginxOptions { Prefix = prefix, WorkerProcesses = "1", AccessLogMaxBytes = 0 };
        using var router = new NginxTrafficRouter(runner, options, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
        var backendPort = FreePort();
        var port = FreePort();
        SshCommandRunner? ssh = null;
        try
        {
            await router.EnsureRunningAsync(CancellationToken.None);
            await File.WriteAllTextAsync(
                Path.Combine(prefix, "conf", "sites", "bench-backend.conf"),
                $"server {{\n    listen 127.0.0.1:{backendPort};\n    access_log off;\n    location / {{ return 200 \"ok\\n\"; }}\n}}\n");
            await router.ApplyAsync(new RouteSpec("bench", port, [new($"127.0.0.1:{backendPort}", 1, "backend")]), CancellationToken.None);
            ssh = TrySsh();
            var log = Path.Combine(prefix, "logs", "bench.access.log");
            var results = new List<(int Rate, List<Read> Reads, long Sent, long Failed, (long Bytes, double Ms) Old)>();
            foreach (var rate in new[] { 10, 1000 })
            {
                Console.Error.WriteLine($"traffic: {rate} requests/s for {stepSeconds} s");
                var (reads, sent, failed) = await StepAsync(runner, ssh, log, port, rate, stepSeconds);
                var old = await OldReadAsync(runner, log);
                results.Add((rate, reads, sent, failed, old));
            }

            var report = Report(results, stepSeconds, ssh is not null);
            Console.WriteLine(report);
            await ReplaceSectionAsync(outputPath, report);
            return 0;
        }
        finally
        {
            ssh?.Dispose();
            await router.StopAsync(CancellationToken.None);
            Directory.Delete(prefix, recursive: true);
        }
    }

    private static async Task<(List<Read> Reads, long Sent, long Failed)> StepAsync(LocalProcessRunner runner, SshCommandRunner? ssh, string log, int port, int rate, int seconds)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 64 }) { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource();
        long sent = 0, failed = 0, inFlight = 0;
        var url = new Uri($"http://127.0.0.1:{port}/");

        // Open loop: requests are started on a fixed schedule whether or not earlier ones have answered (at most 512 in flight).
        var load = Task.Run(async () =>
        {
            var clock = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                var due = (long)(clock.Elapsed.TotalSeconds * rate) - sent;
                for (var i = 0; i < due; i++)
                {
                    sent++;
                    if (Interlocked.Read(ref inFlight) >= 512)
                    {
                        failed++;
                        continue;
                    }

                    Interlocked.Increment(ref inFlight);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            using var response = await http.GetAsync(url);
                            if (!response.IsSuccessStatusCode)
                            {
                                Interlocked.Increment(ref failed);
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                        {
                            Interlocked.Increment(ref failed);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inFlight);
                        }
                    });
                }

                await Task.Delay(5);
            }
        });

        var from = DateTimeOffset.UtcNow;
        var cursor = new LogCursor();
        var tally = new TrafficTally();
        var sshCursor = new LogCursor();
        var sshTally = new TrafficTally();
        var reads = new List<Read>();
        var step = Stopwatch.StartNew();
        try
        {
            for (var n = 1; n * Interval <= seconds; n++)
            {
                var wait = TimeSpan.FromSeconds(n * Interval) - step.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var to = DateTimeOffset.UtcNow;
                var command = NginxAccessLogReader.Command(log, cursor, from, to);
                var children = ChildrenCpuMs();
                var wall = Stopwatch.StartNew();
                var result = (await runner.RunAsync(command, null, CancellationToken.None)).EnsureSuccess();
                var wallMs = wall.Elapsed.TotalMilliseconds;
                var hostCpu = ChildrenCpuMs() - children;
                var parse = Stopwatch.StartNew();
                NginxAccessLogReader.Apply(result.StandardOutput, cursor, tally);
                var figures = tally.Figures();
                var parseMs = parse.Elapsed.TotalMilliseconds;

                double sshMs = double.NaN;
                long sshRequests = 0;
                if (ssh is not null && (n % SshEvery == 0 || n == 1))
                {
                    var sshWall = Stopwatch.StartNew();
                    var remote = (await ssh.RunAsync(NginxAccessLogReader.Command(log, sshCursor, from, to), null, CancellationToken.None)).EnsureSuccess();
                    NginxAccessLogReader.Apply(remote.StandardOutput, sshCursor, sshTally);
                    sshRequests = sshTally.Figures().Values.Sum(s => (long)s.Requests);
                    sshMs = sshWall.Elapsed.TotalMilliseconds;
                }

                reads.Add(new Read(
                    step.Elapsed.TotalSeconds,
                    Encoding.UTF8.GetByteCount(command.ToShellCommand()),
                    Encoding.UTF8.GetByteCount(result.StandardOutput),
                    wallMs,
                    hostCpu,
                    parseMs,
                    figures.Values.Sum(s => (long)s.Requests),
                    sshMs,
                    sshRequests));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await load;
        }

        return (reads, sent, failed);
    }

    /// <summary>What the replaced reader did at each check: the log's last 32 MiB, moved whole and parsed here.</summary>
    private static async Task<(long Bytes, double Ms)> OldReadAsync(LocalProcessRunner runner, string log)
    {
        var clock = Stopwatch.StartNew();
        var result = (await runner.RunAsync(CommandSpec.Create("tail", "-c", OldTailBytes.ToString(CultureInfo.InvariantCulture), log), null, CancellationToken.None)).EnsureSuccess();
        var count = NginxAccessLogParser.Parse(result.StandardOutput).Count(e => e.UpstreamAddress is not null);
        _ = count;
        return (Encoding.UTF8.GetByteCount(result.StandardOutput), clock.Elapsed.TotalMilliseconds);
    }

    private static string Report(List<(int Rate, List<Read> Reads, long Sent, long Failed, (long Bytes, double Ms) Old)> results, int stepSeconds, bool ssh)
    {
        var text = new StringBuilder();
        var machine = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        text.AppendLine("## Traffic analysis cost");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- traffic` ({stepSeconds} s per rate) on {machine}, {DateTime.UtcNow:yyyy-MM-dd}. The machine is shared with other engineers' builds and tests and was loaded while this ran: compare the ratios within this run, not the absolute times with other runs.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"A managed nginx (1 worker) in front of a static nginx backend; an open-loop load (requests started on a fixed schedule, at most 512 in flight) of 10, then 1,000 requests/s, one step window each; every {Interval} s (the default `healthCheck.interval`) the step's window so far is read as a canary step reads it: one command on the host that reads the bytes logged since the previous read and counts them there (`NginxAccessLogReader`). Bytes are the command sent plus the figures received; host CPU is the CPU time of that command's processes (sh, stat, tail, head, awk; 10 ms clock ticks, so per-read figures are averages); parse is this process turning the figures into the window's per-upstream figures; SSH is the same read over the SSH runner to the test sshd on 127.0.0.1:2222 (every {SshEvery * Interval} s, so as not to stretch the schedule: a command there costs seconds of session setup on this loaded machine whatever it runs — `ssh … true` took 2.7 s). Early = reads in the first third of the step, late = the last third: flat means the cost does not grow with how long the step has run.");
        text.AppendLine();
        text.AppendLine("| rate (req/s) | counted in window | reads | bytes sent / read | bytes received / read (early → late) | wall ms / read (early → late) | host CPU ms / read (early → late) | parse ms / read | SSH wall ms / read (early → late) | replaced reader at step end: bytes, ms |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (rate, reads, sent, failed, old) in results)
        {
            var third = Math.Max(1, reads.Count / 3);
            var early = reads.Take(third).ToList();
            var late = reads.TakeLast(third).ToList();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {rate} ({sent} sent, {failed} failed) | {reads[^1].Requests} | {reads.Count} | {reads.Average(r => r.Sent):0} | {early.Average(r => r.Received):0} → {late.Average(r => r.Received):0} | {Median(early, r => r.WallMs):0.0} → {Median(late, r => r.WallMs):0.0} | {early.Average(r => r.HostCpuMs):0.0} → {late.Average(r => r.HostCpuMs):0.0} | {Median(reads, r => r.ParseMs):0.00} | {(ssh ? $"{Median(early, r => r.SshWallMs):0.0} → {Median(late, r => r.SshWallMs):0.0}" : "no sshd")} | {old.Bytes:N0}, {old.Ms:0} |");
        }

        if (results.Count == 2)
        {
            var (low, high) = (results[0].Reads, results[1].Reads);
            double Bytes(List<Read> r) => r.Average(x => x.Sent + x.Received);
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Ratios, 1,000 vs 10 requests/s, per read: bytes moved **{Bytes(high) / Bytes(low):0.00}×**, wall time (median) **{Median(high, r => r.WallMs) / Median(low, r => r.WallMs):0.00}×**, host CPU **{high.Average(r => r.HostCpuMs) / Math.Max(0.01, low.Average(r => r.HostCpuMs)):0.00}×**, parse **{Median(high, r => r.ParseMs) / Median(low, r => r.ParseMs):0.00}×**{(ssh ? $", over SSH wall time (median) **{Median(high, r => r.SshWallMs) / Median(low, r => r.SshWallMs):0.00}×**" : string.Empty)}. Over the step at 1,000 requests/s, late vs early reads: wall **{Median(high.TakeLast(high.Count / 3).ToList(), r => r.WallMs) / Median(high.Take(high.Count / 3).ToList(), r => r.WallMs):0.00}×**, bytes **{high.TakeLast(high.Count / 3).Average(r => r.Received) / high.Take(high.Count / 3).Average(r => r.Received):0.00}×**.");
        }

        return text.ToString();
    }

    private static double Median(IEnumerable<Read> reads, Func<Read, double> value)
    {
        var sorted = reads.Select(value).Where(v => !double.IsNaN(v)).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[sorted.Length / 2];
    }

    /// <summary>CPU time (user + system) of this process's waited-for children, from /proc/self/stat (cutime, cstime), in ms.</summary>
    private static double ChildrenCpuMs()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // Fields after the command: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
        var ticks = long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks * 10.0;
    }

    private static SshCommandRunner? TrySsh()
    {
        const string Directory = "/var/lib/deploymind-test/ssh";
        var key = Path.Combine(Directory, "id_ed25519");
        var knownHosts = Path.Combine(Directory, "known_hosts");
        if (!File.Exists(key) || !File.Exists(knownHosts))
        {
            Console.Error.WriteLine("traffic: no test sshd files; SSH column left out");
            return null;
        }

        return new SshCommandRunner(new SshTarget("root", "127.0.0.1", 2222) { PrivateKeyPath = key, KnownHostsPath = knownHosts }, NullLogger<SshCommandRunner>.Instance, TimeProvider.System);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Writes <paramref name="section"/> into the results file, replacing an earlier run's section of the same title.</summary>
    private static async Task ReplaceSectionAsync(string path, string section)
    {
        var title = section[..section.IndexOf('\n', StringComparison.Ordinal)];
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Deploy benchmark\n";
        var start = text.IndexOf(title, StringComparison.Ordinal);
        if (start >= 0)
        {
            var next = text.IndexOf("\n## ", start + title.Length, StringComparison.Ordinal);
            text = text[..start] + (next < 0 ? string.Empty : text[(next + 1)..]);
        }

        text = text.TrimEnd('\n') + "\n\n" + section;
        await File.WriteAllTextAsync(path, text);
    }
}
