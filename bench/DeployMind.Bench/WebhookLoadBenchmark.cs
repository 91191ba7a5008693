using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using StackExchange.Redis;

namespace DeployMind.Bench;

/// <summary>
/// Webhook intake at a constant arrival rate: <c>deploymind serve --no-workers</c> (Release, its own process) with the
/// Redis queue and the default SQLite records, and an open-loop load generator in this process that starts one signed
/// <c>push</c> delivery (a new <c>X-GitHub-Delivery</c> each) every 1/rate s whether or not earlier ones have answered.
/// Latency is measured from the moment a request was due, not from when it went out, so a stalled server shows as the
/// wait it caused (no coordinated omission). After each run every 2xx answer's deployment is looked up in the records
/// and its job in the Redis stream: a 2xx for a delivery that is not stored is counted and fails the run.
/// </summary>
internal static class WebhookLoadBenchmark
{
    private const string Secret = "bench-secret";
    private const int MaxInFlight = 2000;

    public static async Task<int> RunAsync(int runs, int seconds, int rate, string outputPath, string label)
    {
        var redisPort = int.Parse(Environment.GetEnvironmentVariable("REDIS_PORT") ?? "6380", CultureInfo.InvariantCulture);
        var port = FreePort();
        var work = Directory.CreateTempSubdirectory("dm-bench-webhooks-").FullName;
        var prefix = $"bench-webhooks-{Environment.ProcessId}";
        var body = await File.ReadAllBytesAsync(Path.Combine(BuildBenchmark.RepoRoot, "tests", "fixtures", "github-webhooks", "push.with-new-branch.json"));
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body));
        var config = Path.Combine(work, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            queue: {"{"} provider: redis, redis: "127.0.0.1:{redisPort}", keyPrefix: {prefix} {"}"}
            server: {"{"} webhookSecret: {Secret}, workers: {"{"} enabled: false {"}"} {"}"}
            """);

        // BENCH_DEPLOYMIND_DLL: another build of the server (an earlier commit's, for a before/after pair).
        var dll = Environment.GetEnvironmentVariable("BENCH_DEPLOYMIND_DLL") is { Length: > 0 } other ? other
            : Path.Combine(BuildBenchmark.RepoRoot, "src", "DeployMind.Cli", "bin", "Release", "net10.0", "deploymind.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { dll, "serve", "--config", config, "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DEPLOYMIND_HOME"] = Path.Combine(work, "home");
        start.Environment["DEPLOYMIND_MACHINE_CONFIG"] = "/nonexistent";

        // BENCH_SERVER_ENV="NAME=value;…": settings for the server's process only (runtime knobs while profiling).
        foreach (var pair in (Environment.GetEnvironmentVariable("BENCH_SERVER_ENV") ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            start.Environment[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..];
        }
        using var server = Process.Start(start)!;
        var serverLog = new StringBuilder();
        server.OutputDataReceived += (_, e) => { lock (serverLog) { serverLog.AppendLine(e.Data); } };
        server.ErrorDataReceived += (_, e) => { lock (serverLog) { serverLog.AppendLine(e.Data); } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();

        using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisPort},allowAdmin=true");
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = MaxInFlight,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10), BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await WaitReadyAsync(http, server, serverLog);
            var target = new Target(http, body, signature);

            // Warm-up (JIT tiers, connections, SQLite pages), not measured: 10 s at the rate.
            await LoadAsync(target, rate, 10, "warm");

            var rows = new List<Run>();
            for (var r = 1; r <= runs; r++)
            {
                var cpuBefore = CpuSeconds(server.Id);
                var ownBefore = CpuSeconds(Environment.ProcessId);
                var result = await LoadAsync(target, rate, seconds, $"r{r}");
                var cpu = CpuSeconds(server.Id) - cpuBefore;
                var own = CpuSeconds(Environment.ProcessId) - ownBefore;
                await Task.Delay(TimeSpan.FromSeconds(1));
                var missing = await MissingAsync(work, redis, prefix, result.Accepted);
                var run = result with { Number = r, ServerCpuMsPerDelivery = cpu * 1000 / Math.Max(1, result.Sent), GeneratorCpuMsPerDelivery = own * 1000 / Math.Max(1, result.Sent), NotStored = missing };
                rows.Add(run);
                Console.WriteLine(run.Line());
            }

            lock (serverLog)
            {
                foreach (var line in serverLog.ToString().Split('\n').Where(l => l.Contains("warn", StringComparison.OrdinalIgnoreCase) || l.Contains("fail", StringComparison.OrdinalIgnoreCase)).Take(10))
                {
                    Console.WriteLine("server: " + line);
                }
            }

            await WriteAsync(outputPath, label, rate, seconds, body.Length, redis, redisPort, rows);
            return rows.All(r => r.NotStored == 0 && r.Errors == 0) ? 0 : 1;
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }

            var db = redis.GetDatabase();
            await foreach (var key in redis.GetServer($"127.0.0.1:{redisPort}").KeysAsync(pattern: prefix + "*"))
            {
                await db.KeyDeleteAsync(key);
            }

            Directory.Delete(work, recursive: true);
        }
    }

    private sealed record Target(HttpClient Http, byte[] Body, string Signature);

    private sealed record Run(int Number, long Sent, long Answered2xx, long Non2xx, long Errors, long Dropped, double[] LatenciesMs, HashSet<Guid> Accepted, double Seconds)
    {
        public double ServerCpuMsPerDelivery { get; init; }

        public double GeneratorCpuMsPerDelivery { get; init; }

        public long NotStored { get; init; }

        public double Percentile(double p) => LatenciesMs.Length == 0 ? double.NaN : LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)Math.Ceiling(p * LatenciesMs.Length) - 1)];

        public string Line() => string.Create(CultureInfo.InvariantCulture,
            $"run={Number} sent={Sent} 2xx={Answered2xx} non2xx={Non2xx} errors={Errors} dropped={Dropped} rate={Sent / Seconds:0} p50={Percentile(0.5):0.00} p90={Percentile(0.9):0.00} p99={Percentile(0.99):0.00} p999={Percentile(0.999):0.00} max={LatenciesMs.LastOrDefault():0.00} cpu/delivery={ServerCpuMsPerDelivery:0.000}ms generatorCpu/delivery={GeneratorCpuMsPerDelivery:0.000}ms notStored={NotStored}");
    }

    /// <summary>
    /// One open-loop run: request i is due at start + i/rate; a dedicated thread starts each when due (never waiting for
    /// answers). Latency = answer time − due time. At most <see cref="MaxInFlight"/> at once; past that a request is
    /// counted as dropped (the server could not keep up), never silently skipped.
    /// </summary>
    private static async Task<Run> LoadAsync(Target target, int rate, int seconds, string runId)
    {
        var total = rate * seconds;
        var latencies = new double[total];
        var status = new int[total];
        var ids = new Guid?[total];
        long inFlight = 0, dropped = 0;
        var pending = new List<Task>(total);
        var started = Stopwatch.GetTimestamp();
        var tick = (double)Stopwatch.Frequency / rate;
        var scheduler = new Thread(() =>
        {
            // Wakes about every millisecond and starts everything due by then. It never spins: on a 2-core machine a
            // spinning generator takes a core from the server it measures. A late start is charged to the answer
            // (latency counts from the due time), so the sleep's granularity can only make the figures worse.
            var i = 0;
            while (i < total)
            {
                var now = Stopwatch.GetTimestamp();
                for (; i < total && started + (long)(i * tick) <= now; i++)
                {
                    var due = started + (long)(i * tick);
                    if (Interlocked.Read(ref inFlight) >= MaxInFlight)
                    {
                        dropped++;
                        status[i] = -2;
                        continue;
                    }

                    Interlocked.Increment(ref inFlight);
                    var n = i;
                    var task = SendAsync(target, $"{runId}-{n}-{Guid.NewGuid():N}", due, latencies, status, ids, n);
                    lock (pending)
                    {
                        pending.Add(task.ContinueWith(_ => Interlocked.Decrement(ref inFlight), TaskScheduler.Default));
                    }
                }

                if (i < total)
                {
                    Thread.Sleep(1);
                }
            }
        }) { IsBackground = true, Priority = ThreadPriority.AboveNormal, Name = "load" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        Task[] all;
        lock (pending)
        {
            all = [.. pending];
        }

        await Task.WhenAll(all);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var ok = new List<double>(total);
        var accepted = new HashSet<Guid>();
        long non2xx = 0, errors = 0;
        for (var i = 0; i < total; i++)
        {
            switch (status[i])
            {
                case >= 200 and < 300:
                    ok.Add(latencies[i]);
                    if (ids[i] is { } id)
                    {
                        accepted.Add(id);
                    }

                    break;
                case -1:
                    errors++;
                    break;
                case -2:
                    break;
                default:
                    non2xx++;
                    break;
            }
        }

        // Non-2xx answers still count in the latency figures: a fast 503 is not a fast intake, but hiding it would be worse.
        for (var i = 0; i < total; i++)
        {
            if (status[i] is >= 300 or -1)
            {
                ok.Add(latencies[i]);
            }
        }

        ok.Sort();
        var codes = string.Join(' ', status.Where(s => s is not (>= 200 and < 300)).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        if (codes.Length > 0)
        {
            Console.WriteLine($"{runId}: answers other than 2xx (-1 error, -2 dropped): {codes}");
        }

        return new Run(0, total - dropped, total - dropped - non2xx - errors, non2xx, errors, dropped, [.. ok], accepted, elapsed);
    }

    private static async Task SendAsync(Target target, string delivery, long due, double[] latencies, int[] status, Guid?[] ids, int n)
    {
        await Task.Yield();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new ByteArrayContent(target.Body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-GitHub-Event", "push");
        request.Headers.Add("X-GitHub-Delivery", delivery);
        request.Headers.Add("X-Hub-Signature-256", target.Signature);
        try
        {
            using var response = await target.Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            latencies[n] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            status[n] = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && JsonDocument.Parse(text).RootElement.TryGetProperty("deploymentId", out var id) && id.ValueKind == JsonValueKind.String)
            {
                ids[n] = id.GetGuid();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            latencies[n] = Stopwatch.GetElapsedTime(due).TotalMilliseconds;
            status[n] = -1;
        }
    }

    /// <summary>How many 2xx answers name a deployment that is not in the records, or whose job is not in the stream.</summary>
    private static async Task<long> MissingAsync(string work, ConnectionMultiplexer redis, string prefix, HashSet<Guid> accepted)
    {
        var recorded = new HashSet<Guid>();
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(work, "home", "deploymind.db")};Mode=ReadOnly"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = "select Id from deployments";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                recorded.Add(Guid.Parse(reader.GetString(0)));
            }
        }

        var queued = new HashSet<Guid>();
        var stream = (RedisKey)$"{prefix}:jobs:production:webhook";
        var from = "-";
        while (true)
        {
            var entries = await redis.GetDatabase().StreamRangeAsync(stream, from, "+", 5000);
            foreach (var entry in entries)
            {
                if (entry["id"] is { HasValue: true } id)
                {
                    queued.Add(Guid.Parse(id.ToString()));
                }
            }

            if (entries.Length < 5000)
            {
                break;
            }

            from = "(" + entries[^1].Id;
        }

        return accepted.LongCount(id => !recorded.Contains(id) || !queued.Contains(id));
    }

    private static async Task WaitReadyAsync(HttpClient http, Process server, StringBuilder log)
    {
        for (var i = 0; i < 150; i++)
        {
            try
            {
                using var ready = await http.GetAsync("/readyz");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (server.HasExited)
            {
                break;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException("the server did not become ready:\n" + log);
    }

    /// <summary>User + system CPU seconds of a process (from /proc, in clock ticks of 10 ms).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static async Task WriteAsync(string outputPath, string label, int rate, int seconds, int bodyBytes, ConnectionMultiplexer redis, int redisPort, List<Run> rows)
    {
        var info = await redis.GetServer($"127.0.0.1:{redisPort}").InfoAsync("server");
        var version = info.SelectMany(g => g).FirstOrDefault(p => p.Key == "redis_version").Value ?? "?";
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[..3];
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {label}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/DeployMind.Bench -- webhooks --rate {rate} --seconds {seconds} --runs {rows.Count}` on {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, after a 10 s warm-up at the rate; load average after the runs {string.Join(' ', load)}; Redis {version}, {bodyBytes}-byte push payload, a new delivery id per request.");
        text.AppendLine();
        text.AppendLine("| run | sent | 2xx | non-2xx | errors | dropped (over 2,000 in flight) | achieved /s | p50 (ms) | p90 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | server CPU / delivery (ms) | generator CPU / delivery (ms) | 2xx not stored |");
        text.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Number} | {r.Sent} | {r.Answered2xx} | {r.Non2xx} | {r.Errors} | {r.Dropped} | {r.Sent / r.Seconds:0} | {r.Percentile(0.5):0.0} | {r.Percentile(0.9):0.0} | {r.Percentile(0.99):0.0} | {r.Percentile(0.999):0.0} | {r.LatenciesMs.LastOrDefault():0.0} | {r.ServerCpuMsPerDelivery:0.00} | {r.GeneratorCpuMsPerDelivery:0.00} | {r.NotStored} |");
        }

        text.AppendLine();
        var existing = File.Exists(outputPath) ? await File.ReadAllTextAsync(outputPath) : string.Empty;
        await File.WriteAllTextAsync(outputPath, existing.TrimEnd() + "\n\n" + text);
        Console.WriteLine($"appended to {outputPath}");
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
