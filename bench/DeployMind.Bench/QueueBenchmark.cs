using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DeployMind.Application.Jobs;
using DeployMind.Infrastructure.Persistence;
using DeployMind.Infrastructure.Redis;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeployMind.Bench;

/// <summary>
/// The two <see cref="IJobQueue"/> adapters side by side: the Redis queue on a redis-server of our own (a child process
/// on a free loopback port, no persistence) and the embedded queue on a SQLite file in a temp folder. Throughput of
/// enqueue and of take+ack with 1 and 4 clients (each its own adapter instance and connection, as separate worker
/// processes would have), raw <c>redis-benchmark</c> XADD on the same server for scale, and enqueue-to-start latency
/// of an idle worker. Everything it creates (the server, its folder, the database) is removed at the end.
/// </summary>
internal static partial class QueueBenchmark
{
    private const int RedisJobs = 5000;
    private const int EmbeddedJobs = 2000;
    private const int LatencySamples = 200;
    private const int LatencyWarmUp = 10;
    private const int RawRequests = 20000;

    /// <summary>Longest an enqueue or a take+ack phase may run; a phase cut short reports the jobs it got through.</summary>
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromSeconds(60);

    /// <summary>Longest the latency samples of one queue may take.</summary>
    private static readonly TimeSpan LatencyLimit = TimeSpan.FromSeconds(120);

    /// <summary>How long a throughput worker waits in one take when the queue looks empty.</summary>
    private static readonly TimeSpan WorkerWait = TimeSpan.FromSeconds(1);

    /// <summary>How long the idle worker of the latency test waits in one take (much longer than any sample).</summary>
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(30);

    private static readonly int[] Clients = [1, 4];

    /// <summary>Connection set-ups that failed during warm-up and were retried.</summary>
    private static int _connectRetries;

    public static async Task<int> RunAsync(int runs, string outputPath)
    {
        var loadBefore = LoadAverage();
        var folder = Directory.CreateTempSubdirectory("dm-queue-bench-");
        RedisChild? redis = null;
        try
        {
            redis = await RedisChild.StartAsync(folder.FullName);
            var prefix = $"dmbench-{Guid.NewGuid():N}"[..16];
            var sqlitePath = Path.Combine(folder.FullName, "queue.db");
            var queueOptions = Options.Create(new QueueOptions { Provider = "redis", Redis = redis.Address, KeyPrefix = prefix });
            var databaseOptions = Options.Create(new DatabaseOptions { Provider = "sqlite", Path = sqlitePath });

            var queues = new[]
            {
                new QueueKind("Redis", RedisJobs, redis, () =>
                {
                    var connection = new RedisConnection(queueOptions, NullLogger<RedisConnection>.Instance);
                    return new Client(new RedisJobQueue(connection, queueOptions, TimeProvider.System, NullLogger<RedisJobQueue>.Instance), connection);
                }),
                new QueueKind("Embedded (SQLite)", EmbeddedJobs, null, () =>
                {
                    var queue = new EmbeddedJobQueue(databaseOptions, queueOptions, TimeProvider.System);
                    return new Client(queue, queue);
                }),
            };

            var sample = NewJob("bench");
            var json = JsonSerializer.Serialize(sample, RedisJson.Default.DeployJob);
            var throughput = new Dictionary<(string Queue, int Clients), List<Throughput>>();
            var raw = new Dictionary<(string Command, int Clients), List<RawRun>>();
            string[] xaddMinimal = ["xadd", "bench-stream", "*", "f", "v"];
            string[] xaddJob = ["xadd", "bench-stream", "*", "id", sample.Id.ToString("D"), "job", json];
            // One untimed round first, so both adapters run tiered-up (JIT) code from the first timed run on.
            foreach (var kind in queues)
            {
                foreach (var clients in Clients)
                {
                    var warm = await MeasureThroughputAsync(kind, clients, $"warm-c{clients}");
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up {kind.Name}, {clients} client(s): {warm.EnqueueRate:F0}/s, {warm.TakeAckRate:F0}/s (discarded)"));
                }
            }

            for (var run = 1; run <= runs; run++)
            {
                foreach (var kind in queues)
                {
                    foreach (var clients in Clients)
                    {
                        var result = await MeasureThroughputAsync(kind, clients, $"tp-r{run}-c{clients}");
                        Add(throughput, (kind.Name, clients), result);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"run {run} {kind.Name}, {clients} client(s): enqueue {result.Enqueued} in {result.EnqueueSeconds:F2}s = {result.EnqueueRate:F0}/s; take+ack {result.Acked} in {result.TakeAckSeconds:F2}s = {result.TakeAckRate:F0}/s; per job CPU here {result.EnqueueCost.ClientCpuUs:F0}/{result.TakeAckCost.ClientCpuUs:F0} µs, redis-server {result.EnqueueCost.ServerCpuUs:F1}/{result.TakeAckCost.ServerCpuUs:F1} µs, scripts {result.EnqueueCost.ExecUs:F1}/{result.TakeAckCost.ExecUs:F1} µs in {result.EnqueueCost.CallsPerOperation:F2}/{result.TakeAckCost.CallsPerOperation:F2} calls{(result.Problem is null ? string.Empty : " — " + result.Problem)}"));
                    }
                }

                foreach (var clients in Clients)
                {
                    foreach (var (label, command) in new[] { ("xadd f v", xaddMinimal), ("xadd job", xaddJob) })
                    {
                        var before = await Cost.StartAsync(redis, client: false);
                        var rate = await redis.BenchmarkAsync(clients, command);
                        var cost = await before.StopAsync(RawRequests, ["xadd"]);
                        await redis.CliAsync("del", "bench-stream");
                        Add(raw, (label, clients), new RawRun(rate, cost));
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"run {run} redis-benchmark {label} -c {clients}: {rate:F0} requests/s; server CPU {cost.ServerCpuUs:F1} µs/request, XADD {cost.ExecUs:F2} µs/call"));
                    }
                }
            }

            var latency = new Dictionary<string, Latency>();
            foreach (var kind in queues)
            {
                latency[kind.Name] = await MeasureLatencyAsync(kind, "latency");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{kind.Name} enqueue-to-start: p50 {latency[kind.Name].P50:F2} ms, p99 {latency[kind.Name].P99:F2} ms over {latency[kind.Name].Samples.Count} samples"));
            }

            var redisVersion = Field(await redis.CliAsync("info", "server"), "redis_version");
            var counters = await redis.CountersAsync();
            var sqlite = await SqliteFactsAsync(sqlitePath);
            var facts = new Facts(
                runs, redis.CommandLine, redisVersion, counters.Command("evalsha").Calls, counters.Command("eval").Calls, sqlite.Version, sqlite.JournalMode, sqlite.Synchronous,
                $"{FileSystem(folder.FullName)} ({Path.GetTempPath()})", Encoding.UTF8.GetByteCount(json), loadBefore, LoadAverage());
            var report = Render(facts, queues, throughput, raw, latency);
            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            await File.WriteAllTextAsync(outputPath, report);
            Console.WriteLine(report);
            return 0;
        }
        finally
        {
            if (redis is not null)
            {
                await redis.DisposeAsync();
            }

            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// <paramref name="clients"/> adapter instances, each with its own connection: they enqueue the jobs (split between
    /// them), then take and ack them all as workers named worker-0…; a fresh environment (queue) per measurement.
    /// </summary>
    private static async Task<Throughput> MeasureThroughputAsync(QueueKind kind, int clients, string environment)
    {
        var connected = Enumerable.Range(0, clients).Select(_ => kind.Connect()).ToList();
        try
        {
            foreach (var client in connected)
            {
                await WarmUpAsync(client.Queue, environment + "-warm", 20);
            }

            var enqueued = 0;
            var before = await Cost.StartAsync(kind.Server);
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(connected.Select((client, index) => Task.Run(async () =>
            {
                var share = (kind.Jobs / clients) + (index < kind.Jobs % clients ? 1 : 0);
                for (var i = 0; i < share && Stopwatch.GetElapsedTime(started) < PhaseLimit; i++)
                {
                    await client.Queue.EnqueueAsync(NewJob(environment), CancellationToken.None);
                    Interlocked.Increment(ref enqueued);
                }
            })));
            var enqueueTime = Stopwatch.GetElapsedTime(started);
            var enqueueCost = await before.StopAsync(enqueued);

            var acked = 0;
            var duplicates = 0;
            var seen = new System.Collections.Concurrent.ConcurrentDictionary<Guid, bool>();
            long finished = 0;
            using var stop = new CancellationTokenSource(PhaseLimit);
            before = await Cost.StartAsync(kind.Server);
            started = Stopwatch.GetTimestamp();
            await Task.WhenAll(connected.Select((client, index) => Task.Run(async () =>
            {
                var consumer = string.Create(CultureInfo.InvariantCulture, $"worker-{index}");
                while (!stop.IsCancellationRequested)
                {
                    JobLease? lease;
                    try
                    {
                        lease = await client.Queue.TakeAsync(environment, consumer, WorkerWait, stop.Token);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }

                    if (lease is null)
                    {
                        continue;
                    }

                    await client.Queue.AckAsync(lease, CancellationToken.None);
                    if (!seen.TryAdd(lease.Job.Id, true))
                    {
                        Interlocked.Increment(ref duplicates);
                    }

                    if (Interlocked.Increment(ref acked) == enqueued)
                    {
                        Interlocked.Exchange(ref finished, Stopwatch.GetTimestamp());
                        await stop.CancelAsync();
                    }
                }
            })));
            var takeAckTime = finished != 0 ? Stopwatch.GetElapsedTime(started, finished) : Stopwatch.GetElapsedTime(started);
            var takeAckCost = await before.StopAsync(acked);

            var stats = await connected[0].Queue.StatsAsync(environment, CancellationToken.None);
            string? problem = null;
            if (enqueued < kind.Jobs)
            {
                problem = $"enqueue stopped at the {PhaseLimit.TotalSeconds:F0}s limit";
            }
            else if (acked < enqueued)
            {
                problem = $"take+ack stopped at the {PhaseLimit.TotalSeconds:F0}s limit";
            }
            else if (duplicates > 0 || seen.Count != enqueued || stats.Waiting != 0 || stats.InFlight != 0)
            {
                problem = $"{duplicates} duplicate(s), {seen.Count} distinct jobs acked, {stats.Waiting} waiting and {stats.InFlight} in flight after the run";
            }

            return new Throughput(enqueued, enqueueTime.TotalSeconds, enqueueCost, acked, takeAckTime.TotalSeconds, takeAckCost, problem);
        }
        finally
        {
            foreach (var client in connected)
            {
                client.Resource.Dispose();
            }
        }
    }

    /// <summary>
    /// One producer and one idle worker, each its own adapter instance: the worker is already waiting in a take (30 s)
    /// when, after a random 50–250 ms, the producer enqueues; timed from just before the enqueue to the take returning.
    /// </summary>
    private static async Task<Latency> MeasureLatencyAsync(QueueKind kind, string environment)
    {
        var producer = kind.Connect();
        var worker = kind.Connect();
        try
        {
            await WarmUpAsync(producer.Queue, environment, 20);
            await WarmUpAsync(worker.Queue, environment, 20);
            var random = new Random(20261127);
            var samples = new List<double>(LatencySamples);
            var enqueueCalls = new List<double>(LatencySamples);
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < LatencyWarmUp + LatencySamples && Stopwatch.GetElapsedTime(started) < LatencyLimit; i++)
            {
                var take = Task.Run(async () =>
                {
                    var lease = await worker.Queue.TakeAsync(environment, "idle-worker", IdleWait, CancellationToken.None);
                    return (Lease: lease, At: Stopwatch.GetTimestamp());
                });
                await Task.Delay(random.Next(50, 251));
                if (take.IsCompleted)
                {
                    throw new InvalidOperationException($"{kind.Name}: the idle worker's take returned before anything was enqueued.");
                }

                var before = Stopwatch.GetTimestamp();
                await producer.Queue.EnqueueAsync(NewJob(environment), CancellationToken.None);
                var after = Stopwatch.GetTimestamp();
                var (lease, at) = await take;
                if (lease is null)
                {
                    throw new InvalidOperationException($"{kind.Name}: the idle worker's take returned nothing.");
                }

                await worker.Queue.AckAsync(lease, CancellationToken.None);
                if (i >= LatencyWarmUp)
                {
                    samples.Add(Stopwatch.GetElapsedTime(before, at).TotalMilliseconds);
                    enqueueCalls.Add(Stopwatch.GetElapsedTime(before, after).TotalMilliseconds);
                }
            }

            return new Latency(samples, enqueueCalls);
        }
        finally
        {
            producer.Resource.Dispose();
            worker.Resource.Dispose();
        }
    }

    /// <summary>Connects (Redis: also subscribes to the wake channel), creates the schema (SQLite) and runs the paths once (JIT).</summary>
    private static async Task WarmUpAsync(IJobQueue queue, string environment, int jobs)
    {
        // A fresh multiplexer's first SUBSCRIBE (inside the first take) can fail while its subscription connection is
        // still being set up, on a loaded machine: retried here (bounded) and counted in the report; never in a timed phase.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _ = await queue.StatsAsync(environment, CancellationToken.None);
                _ = await queue.TakeAsync(environment, "warm-up", TimeSpan.Zero, CancellationToken.None);
                break;
            }
            catch (RedisUnavailableException ex) when (attempt < 10)
            {
                Interlocked.Increment(ref _connectRetries);
                Console.WriteLine($"warm-up: {ex.Message} (retrying, attempt {attempt})");
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }

        for (var i = 0; i < jobs; i++)
        {
            await queue.EnqueueAsync(NewJob(environment), CancellationToken.None);
        }

        for (var i = 0; i < jobs * 2; i++)
        {
            if (await queue.TakeAsync(environment, "warm-up", TimeSpan.Zero, CancellationToken.None) is not { } lease)
            {
                break;
            }

            await queue.AckAsync(lease, CancellationToken.None);
        }
    }

    /// <summary>A job as the CLI would enqueue it: a repository at a commit, one target, no idempotency key.</summary>
    private static DeployJob NewJob(string environment) => new()
    {
        Id = Guid.NewGuid(),
        Environment = environment,
        Targets = ["docker:web-1"],
        Priority = JobPriority.Manual,
        Repository = "acme/shop",
        Ref = "3f9c2a7e5b1d4c6f8a0e2b4d6f8a1c3e5b7d9f0a",
        Path = "services/api",
        Strategy = "rolling",
        Host = "ssh://ops@203.0.113.5:22",
        Port = 8080,
        TriggeredBy = "bench@queue",
        EnqueuedAt = DateTimeOffset.UtcNow,
    };

    private static async Task<(string Version, string JournalMode, string Synchronous)> SqliteFactsAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync();
        async Task<string> Scalar(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "?";
        }

        var synchronous = await Scalar("PRAGMA synchronous;") switch
        {
            "0" => "OFF",
            "1" => "NORMAL",
            "2" => "FULL",
            "3" => "EXTRA",
            var other => other,
        };
        return (await Scalar("SELECT sqlite_version();"), await Scalar("PRAGMA journal_mode;"), synchronous);
    }

    private static string Render(Facts facts, QueueKind[] queues, Dictionary<(string Queue, int Clients), List<Throughput>> throughput, Dictionary<(string Command, int Clients), List<RawRun>> raw, Dictionary<string, Latency> latency)
    {
        var inv = CultureInfo.InvariantCulture;
        var runs = facts.Runs;
        string Runs(IEnumerable<double> values) => string.Join(" / ", values.Select(v => v.ToString("F0", inv)));
        string Us(double? value) => value is { } v ? v.ToString(v < 10 ? "F1" : "F0", inv) : "—";
        double Enqueue(string queue, int clients) => Median([.. throughput[(queue, clients)].Select(r => r.EnqueueRate)]);
        double TakeAck(string queue, int clients) => Median([.. throughput[(queue, clients)].Select(r => r.TakeAckRate)]);
        double RawRate(string command, int clients) => Median([.. raw[(command, clients)].Select(r => r.Rate)]);
        double? MedianOf<T>(IEnumerable<T> items, Func<T, double?> pick)
        {
            var values = items.Select(pick).Where(v => v is not null).Select(v => v!.Value).ToList();
            return values.Count == 0 ? null : Median(values);
        }

        var report = new StringBuilder()
            .AppendLine("# Job queue benchmark")
            .AppendLine()
            .AppendLine(string.Create(inv,
                $"What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- queue{(runs == 3 ? string.Empty : $" --runs {runs}")}` — DeployMind's two `IJobQueue` adapters, called directly "
                + $"(no worker loop, no deployment behind the jobs): the Redis queue (`RedisJobQueue`) on a redis-server the benchmark starts itself "
                + $"(`{facts.RedisCommandLine}`, on a free loopback port) and the embedded queue (`EmbeddedJobQueue`) on a SQLite file in a temp folder. "
                + $"Every client is its own adapter instance with its own connection (Redis: its own StackExchange.Redis multiplexer; SQLite: its own "
                + $"`DbContext`s — but one process, so one connection pool and SQLite's in-process locks are shared), as separate worker processes would be. "
                + $"One untimed round of the whole throughput test comes first (tiered JIT); then each measurement uses a fresh queue (environment) and starts after "
                + $"20 untimed jobs per client (connect, subscribe, schema). "
                + $"Jobs: a manual job with a repository, a commit, one target and no idempotency key — {facts.JobBytes} bytes of JSON. "
                + $"The server, the database and the temp folder are removed afterwards."))
            .AppendLine()
            .AppendLine(string.Create(inv,
                $"On: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryGb():F1} GB RAM, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}. "
                + $"Redis {facts.RedisVersion} (server, redis-benchmark and the .NET client share these cores), StackExchange.Redis {Version(typeof(StackExchange.Redis.ConnectionMultiplexer))}. "
                + $"SQLite {facts.SqliteVersion} through Microsoft.Data.Sqlite {Version(typeof(SqliteConnection))} / EF Core, journal_mode={facts.JournalMode}, synchronous={facts.Synchronous} "
                + $"(a commit syncs the WAL), file on {facts.FileSystem}. A shared machine: load average {facts.LoadBefore} at the start and {facts.LoadAfter} at the end "
                + $"(other work was running), so single runs vary; {runs} runs, {DateTime.UtcNow:yyyy-MM-dd}."))
            .AppendLine()
            .AppendLine("## Throughput")
            .AppendLine()
            .AppendLine(string.Create(inv,
                $"N jobs enqueued by the clients (split between them, each awaiting one call at a time), then taken and acked by as many workers "
                + $"(`TakeAsync` with a 1 s wait, then `AckAsync`, named worker-0…) until all N are acked. N = {RedisJobs} for Redis, {EmbeddedJobs} for SQLite; "
                + $"each phase is limited to {PhaseLimit.TotalSeconds:F0} s. Jobs/s = jobs / wall time of the phase; median of {runs} runs, every run listed."))
            .AppendLine()
            .AppendLine("| queue | clients | N | enqueue (jobs/s) | enqueue runs | take+ack (jobs/s) | take+ack runs |")
            .AppendLine("| --- | ---: | ---: | ---: | --- | ---: | --- |");
        foreach (var kind in queues)
        {
            foreach (var clients in Clients)
            {
                var results = throughput[(kind.Name, clients)];
                report.AppendLine(string.Create(inv,
                    $"| {kind.Name} | {clients} | {results.Min(r => r.Enqueued)} | **{Enqueue(kind.Name, clients):F0}** | {Runs(results.Select(r => r.EnqueueRate))} | **{TakeAck(kind.Name, clients):F0}** | {Runs(results.Select(r => r.TakeAckRate))} |"));
            }
        }

        var retries = Volatile.Read(ref _connectRetries);
        var problems = throughput.SelectMany(p => p.Value.Where(r => r.Problem is not null).Select(r => $"{p.Key.Queue}, {p.Key.Clients} client(s): {r.Problem}")).ToList();
        report.AppendLine()
            .AppendLine(problems.Count == 0
                ? "Checked after every run: all N jobs enqueued and acked within the limit, each exactly once, queue empty (`StatsAsync`: 0 waiting, 0 in flight)."
                : "Runs that fell short: " + string.Join("; ", problems) + ".")
            .AppendLine()
            .AppendLine(retries == 0
                ? "No connection set-up had to be retried."
                : string.Create(inv, $"During the untimed warm-ups, {retries} connection set-up(s) of a fresh Redis client failed (the first SUBSCRIBE: \"No connection is active/available\" while the multiplexer's subscription connection was still being set up) and were retried after 200 ms; no timed phase saw a failure."))
            .AppendLine()
            .AppendLine("## Against raw XADD (redis-benchmark)")
            .AppendLine()
            .AppendLine(string.Create(inv,
                $"On the same redis-server, {runs} runs each (median): `redis-benchmark -h 127.0.0.1 -p <port> -n {RawRequests} -c 1 -q xadd bench-stream '*' f v` and `-c 4`, "
                + $"and the same with the job's own fields (`xadd bench-stream '*' id <uuid> job '<the {facts.JobBytes}-byte job JSON>'`); the stream is deleted after each run."))
            .AppendLine()
            .AppendLine("| clients | raw `XADD … f v` (req/s) | raw `XADD` of the job (req/s) | our enqueue (jobs/s) | enqueue ÷ `XADD f v` | our take+ack (jobs/s) | take+ack ÷ `XADD f v` |")
            .AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var clients in Clients)
        {
            report.AppendLine(string.Create(inv,
                $"| {clients} | {RawRate("xadd f v", clients):F0} ({Runs(raw[("xadd f v", clients)].Select(r => r.Rate))}) | {RawRate("xadd job", clients):F0} ({Runs(raw[("xadd job", clients)].Select(r => r.Rate))}) "
                + $"| {Enqueue("Redis", clients):F0} | {Enqueue("Redis", clients) / RawRate("xadd f v", clients):F2} | {TakeAck("Redis", clients):F0} | {TakeAck("Redis", clients) / RawRate("xadd f v", clients):F2} |"));
        }

        report.AppendLine()
            .AppendLine("What the ratio compares. A raw XADD is one round trip carrying one command, from a C client that sends a pre-built request and does nothing else. "
                + $"Our enqueue is also one round trip, but it is an `EVALSHA` (StackExchange.Redis sent {facts.EvalShaCalls:N0} EVALSHA and {facts.EvalCalls:N0} EVAL in the whole run) of a Lua script that runs "
                + "`SET` (the job key, with a TTL), `XGROUP CREATE` (through `pcall`; it errors once the group exists), `XADD` and `PUBLISH` (to wake idle workers), after the job is serialized to JSON in .NET. "
                + "Our take+ack is two round trips: the take script runs `TIME`, two `XGROUP CREATE`, `ZRANGEBYSCORE` (due delayed jobs), two `XAUTOCLAIM` (jobs of dead workers, manual then webhook), "
                + "`XREADGROUP` and `HINCRBY` (the delivery count); the ack script runs `XPENDING` (is the lease still ours?), `XACK`, `XDEL`, `HDEL` and `DEL`. "
                + "About 15 commands in 2 round trips, against 1 command in 1. So the ratio is not an efficiency score: with 1 client, 0.5 is the ceiling for take+ack even if scripts and client cost nothing, "
                + "and the table below shows where the rest of the time goes. The one-client figures, ours and redis-benchmark's, are one request at a time: they follow the loopback "
                + "round-trip time, which on a shared VM moves with the other load (compare the runs).")
            .AppendLine()
            .AppendLine("### Cost per job")
            .AppendLine()
            .AppendLine("Medians over the runs. *Wall* = 1 / rate (with 4 clients, wall time divided by jobs, not the latency of one call). *CPU here* = this .NET process "
                + "(`Environment.CpuUsage`; for SQLite that includes the database engine, which runs in-process). *redis-server CPU* from `INFO cpu` (user + system, network I/O included). "
                + "*Executing* = time Redis spent inside the scripts (EVAL/EVALSHA) or XADD, from `INFO commandstats` — the part no client can change.")
            .AppendLine()
            .AppendLine("| what | clients | wall (µs/job) | CPU here (µs/job) | redis-server CPU (µs/job) | executing in Redis (µs/job) |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var clients in Clients)
        {
            foreach (var (label, command) in new[] { ("raw `XADD f v` (redis-benchmark)", "xadd f v"), ("raw `XADD` of the job (redis-benchmark)", "xadd job") })
            {
                var runsOf = raw[(command, clients)];
                report.AppendLine(string.Create(inv,
                    $"| {label} | {clients} | {Us(1e6 / RawRate(command, clients))} | — | {Us(MedianOf(runsOf, r => r.Cost.ServerCpuUs))} | {Us(MedianOf(runsOf, r => r.Cost.ExecUs))} |"));
            }

            foreach (var kind in queues)
            {
                var results = throughput[(kind.Name, clients)];
                report.AppendLine(string.Create(inv,
                    $"| {kind.Name} enqueue | {clients} | {Us(1e6 / Enqueue(kind.Name, clients))} | {Us(MedianOf(results, r => r.EnqueueCost.ClientCpuUs))} | {Us(MedianOf(results, r => r.EnqueueCost.ServerCpuUs))} | {Us(MedianOf(results, r => r.EnqueueCost.ExecUs))} |"));
                report.AppendLine(string.Create(inv,
                    $"| {kind.Name} take+ack | {clients} | {Us(1e6 / TakeAck(kind.Name, clients))} | {Us(MedianOf(results, r => r.TakeAckCost.ClientCpuUs))} | {Us(MedianOf(results, r => r.TakeAckCost.ServerCpuUs))} | {Us(MedianOf(results, r => r.TakeAckCost.ExecUs))} |"));
            }
        }

        report.AppendLine()
            .AppendLine("## Enqueue-to-start latency of an idle worker")
            .AppendLine()
            .AppendLine(string.Create(inv,
                $"One worker (its own adapter instance) is already waiting in `TakeAsync` with a {IdleWait.TotalSeconds:F0} s wait; after a random 50–250 ms another instance enqueues one job. "
                + $"Timed from just before `EnqueueAsync` to `TakeAsync` returning the job (then acked, untimed). {LatencyWarmUp} untimed samples first, then {LatencySamples} "
                + $"(at most {LatencyLimit.TotalSeconds:F0} s per queue). Percentiles are nearest-rank."))
            .AppendLine()
            .AppendLine("| queue | samples | p50 (ms) | p99 (ms) | min (ms) | max (ms) | the enqueue call alone, p50 (ms) |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var kind in queues)
        {
            var l = latency[kind.Name];
            report.AppendLine(string.Create(inv,
                $"| {kind.Name} | {l.Samples.Count} | **{l.P50:F2}** | **{l.P99:F2}** | {l.Samples.Min():F2} | {l.Samples.Max():F2} | {Percentile(l.EnqueueCalls, 0.50):F2} |"));
        }

        report.AppendLine()
            .AppendLine(string.Create(inv,
                $"How a waiting worker learns of a job: the Redis queue's take looks once, then waits on its subscription to `{{prefix}}:wake:{{env}}` (published by the enqueue script), "
                + $"looking again every 250 ms at most as a fallback — so the latency is a publish, a wake-up and one take script. The embedded queue's take polls the table every "
                + $"{EmbeddedJobQueue.PollInterval.TotalMilliseconds:F0} ms: a job waits on average half a poll before it is seen, at most a whole one, plus one take "
                + $"(two SELECTs, an UPDATE, a SELECT of the payload)."));
        report.AppendLine()
            .AppendLine("## Reading")
            .AppendLine()
            .AppendLine(Reading(queues, throughput, raw, latency))
            .AppendLine()
            .AppendLine("Rerun: `dotnet run -c Release --project bench/DeployMind.Bench -- queue [--runs N] [--out FILE]` — needs `redis-server` and `redis-benchmark` on the PATH "
                + "(Debian: `apt-get install redis-server`, which pulls in `redis-tools`). It starts and stops its own redis-server on a free loopback port and never touches another Redis. "
                + "About two minutes with the default 3 runs (the latency samples take about 80 s of it).");
        return report.ToString();
    }

    /// <summary>The short reading of the figures, written from the figures (so a rerun keeps it true).</summary>
    private static string Reading(
        QueueKind[] queues,
        Dictionary<(string Queue, int Clients), List<Throughput>> throughput,
        Dictionary<(string Command, int Clients), List<RawRun>> raw,
        Dictionary<string, Latency> latency)
    {
        var inv = CultureInfo.InvariantCulture;
        var sqlite = queues.Single(q => q.Server is null).Name;
        double Enqueue(string queue, int clients) => Median([.. throughput[(queue, clients)].Select(r => r.EnqueueRate)]);
        double TakeAck(string queue, int clients) => Median([.. throughput[(queue, clients)].Select(r => r.TakeAckRate)]);
        double RawRate(string command, int clients) => Median([.. raw[(command, clients)].Select(r => r.Rate)]);
        double Of(IEnumerable<double?> values) => Median([.. values.Select(v => v ?? 0)]);
        string Scaling(double ratio) => ratio switch
        {
            < 0.9 => string.Create(inv, $"{ratio:F1}×: slower than one client"),
            < 1.2 => string.Create(inv, $"{ratio:F1}×: about the same as one client"),
            _ => string.Create(inv, $"{ratio:F1}×"),
        };

        var redisOne = throughput[("Redis", 1)];
        var takeWall = 1e6 / TakeAck("Redis", 1);
        var takeClientCpu = Of(redisOne.Select(r => r.TakeAckCost.ClientCpuUs));
        var takeServerCpu = Of(redisOne.Select(r => r.TakeAckCost.ServerCpuUs));
        var takeExec = Of(redisOne.Select(r => r.TakeAckCost.ExecUs));
        var xaddServerCpu = Of(raw[("xadd f v", 1)].Select(r => r.Cost.ServerCpuUs));
        var xaddExec = Of(raw[("xadd f v", 1)].Select(r => r.Cost.ExecUs));
        var sqliteOne = throughput[(sqlite, 1)];
        var sqliteWall = 1e6 / TakeAck(sqlite, 1);
        var sqliteCpu = Of(sqliteOne.Select(r => r.TakeAckCost.ClientCpuUs));
        var redis = latency["Redis"];
        var embedded = latency[sqlite];
        return new StringBuilder()
            .AppendLine(string.Create(inv,
                $"- **Redis queue**: {Enqueue("Redis", 1):F0} enqueues/s and {TakeAck("Redis", 1):F0} take+acks/s from one client; with four clients "
                + $"{Enqueue("Redis", 4):F0} ({Scaling(Enqueue("Redis", 4) / Enqueue("Redis", 1))}) and {TakeAck("Redis", 4):F0} ({Scaling(TakeAck("Redis", 4) / TakeAck("Redis", 1))}) — "
                + $"the four clients (one .NET process) and the server share {Environment.ProcessorCount} cores. Against raw XADD that is {Enqueue("Redis", 1) / RawRate("xadd f v", 1):F2} (enqueue) and "
                + $"{TakeAck("Redis", 1) / RawRate("xadd f v", 1):F2} (take+ack) with one client. Where a one-client take+ack's {takeWall:F0} µs go: Redis spends {takeExec:F0} µs executing the two scripts "
                + $"({xaddExec:F1} µs for a raw XADD) and {takeServerCpu:F0} µs of CPU in all, network reads and writes included ({xaddServerCpu:F0} µs for a raw XADD); this process uses {takeClientCpu:F0} µs of CPU. "
                + $"{(takeClientCpu > takeServerCpu
                    ? "So the client side — StackExchange.Redis, async continuations, JSON, for two calls — is the larger share, and the scripts' extra work inside Redis the smaller one."
                    : "So the server side is the larger share.")} "
                + $"With four clients the gap to raw XADD widens ({Enqueue("Redis", 4) / RawRate("xadd f v", 4):F2} and {TakeAck("Redis", 4) / RawRate("xadd f v", 4):F2}): redis-benchmark's C client "
                + $"does next to nothing per request, while ours needs {Of(throughput[("Redis", 4)].Select(r => r.EnqueueCost.ClientCpuUs)):F0} µs (enqueue) and "
                + $"{Of(throughput[("Redis", 4)].Select(r => r.TakeAckCost.ClientCpuUs)):F0} µs (take+ack) of CPU per job on the cores it shares with the server."))
            .AppendLine(string.Create(inv,
                $"- **Embedded queue**: {Enqueue(sqlite, 1):F0} enqueues/s and {TakeAck(sqlite, 1):F0} take+acks/s from one client; with four clients {Enqueue(sqlite, 4):F0} "
                + $"({Scaling(Enqueue(sqlite, 4) / Enqueue(sqlite, 1))}) and {TakeAck(sqlite, 4):F0} ({Scaling(TakeAck(sqlite, 4) / TakeAck(sqlite, 1))}). "
                + $"A take+ack is five or six statements through EF Core (two SELECTs, the claiming UPDATE, a SELECT of the payload; a DELETE and the prune of old acked jobs), each write its own commit; "
                + $"SQLite lets one writer in at a time, so extra clients overlap only their reads and their .NET work. One client's take+ack used {sqliteCpu:F0} µs of CPU for {sqliteWall:F0} µs of wall time: "
                + $"{(sqliteCpu >= 0.8 * sqliteWall
                    ? "it is bound by CPU in this process (EF Core and the SQLite engine), not by waiting on the disk."
                    : "the rest is waiting — on the disk (each commit syncs the WAL) or, on this shared machine, for a CPU.")}"))
            .AppendLine(string.Create(inv,
                $"- **Latency**: an idle Redis worker starts a job {redis.P50:F1} ms (p50) / {redis.P99:F1} ms (p99) after `EnqueueAsync` is called — the enqueue's publish wakes it at once. "
                + $"An idle embedded worker starts it {embedded.P50:F0} ms / {embedded.P99:F0} ms after: its {EmbeddedJobQueue.PollInterval.TotalMilliseconds:F0} ms poll sets the figure "
                + $"(half a poll on average, a whole one at worst, plus a take)."))
            .Append(string.Create(inv,
                $"- **For DeployMind**: a deployment takes from under a second (a prebuilt image, [deploy.md](deploy.md)) to minutes (with a build, [build.md](build.md)), so a worker "
                + $"consumes a few jobs per second at most; both queues move hundreds to thousands per second, far above that. The difference a user can notice is the embedded queue's "
                + $"~{EmbeddedJobQueue.PollInterval.TotalMilliseconds / 2:F0} ms average wait before an idle worker picks a job up, which is small next to the deployment itself. "
                + $"What decides between them is whether several machines share one queue (Redis), not speed."))
            .ToString();
    }

    /// <summary>What the report says about the set-up.</summary>
    private sealed record Facts(
        int Runs,
        string RedisCommandLine,
        string RedisVersion,
        long EvalShaCalls,
        long EvalCalls,
        string SqliteVersion,
        string JournalMode,
        string Synchronous,
        string FileSystem,
        int JobBytes,
        string LoadBefore,
        string LoadAfter);

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }

    private static double Median(List<double> values) => Percentile(values, 0.50);

    /// <summary>Nearest-rank percentile (the median of an even count is the mean of the middle two).</summary>
    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        if (p == 0.50 && sorted.Count % 2 == 0)
        {
            return (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Field(string info, string name) =>
        info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "?";

    private static string Version(Type type) =>
        type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static double MemoryGb()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string FileSystem(string path)
    {
        try
        {
            var psi = new ProcessStartInfo("findmnt") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "-n", "-o", "FSTYPE,SOURCE", "-T", path })
            {
                psi.ArgumentList.Add(argument);
            }

            using var process = Process.Start(psi)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return output.Length == 0 ? "?" : string.Join(" on ", output.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?) requests per second")]
    private static partial Regex RequestsPerSecond();

    /// <summary>An adapter and what to dispose when done with it.</summary>
    private sealed record Client(IJobQueue Queue, IDisposable Resource);

    /// <summary>A queue implementation: how to connect a new client, and how many jobs a throughput run uses.</summary>
    private sealed record QueueKind(string Name, int Jobs, RedisChild? Server, Func<Client> Connect);

    private sealed record Throughput(int Enqueued, double EnqueueSeconds, PerOperation EnqueueCost, int Acked, double TakeAckSeconds, PerOperation TakeAckCost, string? Problem)
    {
        public double EnqueueRate => Enqueued / EnqueueSeconds;

        public double TakeAckRate => Acked / TakeAckSeconds;
    }

    private sealed record RawRun(double Rate, PerOperation Cost);

    private sealed record Latency(List<double> Samples, List<double> EnqueueCalls)
    {
        public double P50 => Percentile(Samples, 0.50);

        public double P99 => Percentile(Samples, 0.99);
    }

    /// <summary>
    /// What one operation cost, averaged over a phase: CPU of this process (the .NET client; for SQLite also the
    /// database engine, which runs in-process), CPU of the redis-server (INFO cpu), and the time Redis spent executing
    /// the named commands (INFO commandstats: for our scripts EVAL/EVALSHA, inner commands included), per operation.
    /// </summary>
    private sealed record PerOperation(double? ClientCpuUs, double? ServerCpuUs, double? ExecUs, double? CallsPerOperation);

    /// <summary>Counters read before a phase; <see cref="StopAsync"/> turns them into a <see cref="PerOperation"/>.</summary>
    private sealed class Cost
    {
        private static readonly string[] Scripts = ["evalsha", "eval"];

        private readonly RedisChild? _server;
        private readonly RedisCounters? _counters;
        private readonly TimeSpan _cpu;
        private readonly bool _client;

        private Cost(RedisChild? server, RedisCounters? counters, TimeSpan cpu, bool client)
        {
            _server = server;
            _counters = counters;
            _cpu = cpu;
            _client = client;
        }

        /// <summary>Counters now; <paramref name="client"/>: whether this process is the client (not redis-benchmark).</summary>
        public static async Task<Cost> StartAsync(RedisChild? server, bool client = true)
        {
            var counters = server is null ? null : await server.CountersAsync();
            return new Cost(server, counters, Environment.CpuUsage.TotalTime, client);
        }

        public async Task<PerOperation> StopAsync(int operations, string[]? commands = null)
        {
            var cpu = Environment.CpuUsage.TotalTime - _cpu;
            var count = Math.Max(1, operations);
            double? client = _client ? cpu.TotalMicroseconds / count : null;
            if (_server is null || _counters is null)
            {
                return new PerOperation(client, null, null, null);
            }

            var after = await _server.CountersAsync();
            long calls = 0, usec = 0;
            foreach (var command in commands ?? Scripts)
            {
                var (callsAfter, usecAfter) = after.Command(command);
                var (callsBefore, usecBefore) = _counters.Command(command);
                calls += callsAfter - callsBefore;
                usec += usecAfter - usecBefore;
            }

            return new PerOperation(client, (after.CpuSeconds - _counters.CpuSeconds) * 1e6 / count, (double)usec / count, (double)calls / count);
        }
    }

    /// <summary>A redis-server's CPU seconds (user + system) and per-command calls and microseconds.</summary>
    private sealed record RedisCounters(double CpuSeconds, IReadOnlyDictionary<string, (long Calls, long Usec)> Commands)
    {
        public (long Calls, long Usec) Command(string name) => Commands.TryGetValue(name, out var value) ? value : (0, 0);

        public static RedisCounters Parse(string info)
        {
            double cpu = 0;
            var commands = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            foreach (var raw in info.Split('\n'))
            {
                var line = raw.Trim();
                if (line.StartsWith("used_cpu_sys:", StringComparison.Ordinal) || line.StartsWith("used_cpu_user:", StringComparison.Ordinal))
                {
                    cpu += double.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("cmdstat_", StringComparison.Ordinal))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var fields = line[(colon + 1)..].Split(',').Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
                    commands[line["cmdstat_".Length..colon]] = (long.Parse(fields["calls"], CultureInfo.InvariantCulture), long.Parse(fields["usec"], CultureInfo.InvariantCulture));
                }
            }

            return new RedisCounters(cpu, commands);
        }
    }

    /// <summary>
    /// A redis-server of the benchmark's own: a child process on a free loopback port, no RDB snapshots, no AOF. Only
    /// this child is ever stopped, by its own process handle.
    /// </summary>
    private sealed class RedisChild : IAsyncDisposable
    {
        private readonly Process _process;

        private RedisChild(Process process, int port, string commandLine)
        {
            _process = process;
            Port = port;
            CommandLine = commandLine;
        }

        public int Port { get; }

        public string Address => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

        /// <summary>How it was started, with the port left as &lt;port&gt;.</summary>
        public string CommandLine { get; }

        public static async Task<RedisChild> StartAsync(string folder)
        {
            var port = FreePort();
            var arguments = new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no",
                "--daemonize", "no", "--dir", folder, "--logfile", Path.Combine(folder, "redis.log"),
            };
            var start = new ProcessStartInfo("redis-server") { UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
            var child = new RedisChild(process, port, "redis-server --port <port> --bind 127.0.0.1 --save '' --appendonly no --daemonize no");
            var deadline = Stopwatch.GetTimestamp();
            while (!await child.AnswersAsync())
            {
                if (process.HasExited || Stopwatch.GetElapsedTime(deadline) > TimeSpan.FromSeconds(15))
                {
                    await child.DisposeAsync();
                    throw new InvalidOperationException($"redis-server on port {port} did not answer PING.");
                }

                await Task.Delay(50);
            }

            return child;
        }

        /// <summary>Runs redis-benchmark against this server and returns its requests per second.</summary>
        public async Task<double> BenchmarkAsync(int clients, string[] command)
        {
            var arguments = new List<string>
            {
                "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-n", RawRequests.ToString(CultureInfo.InvariantCulture),
                "-c", clients.ToString(CultureInfo.InvariantCulture), "-q",
            };
            arguments.AddRange(command);
            var output = await RunAsync("redis-benchmark", arguments, TimeSpan.FromSeconds(120));
            var matches = RequestsPerSecond().Matches(output);
            return matches.Count > 0
                ? double.Parse(matches[^1].Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"redis-benchmark printed no rate: {output}");
        }

        public async Task<RedisCounters> CountersAsync() => RedisCounters.Parse(await CliAsync("info", "cpu", "commandstats"));

        public Task<string> CliAsync(params string[] command)
        {
            var arguments = new List<string> { "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture) };
            arguments.AddRange(command);
            return RunAsync("redis-cli", arguments, TimeSpan.FromSeconds(30));
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static async Task<string> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
        {
            var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                psi.ArgumentList.Add(argument);
            }

            using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start.");
            using var limit = new CancellationTokenSource(timeout);
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var error = process.StandardError.ReadToEndAsync(limit.Token);
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new TimeoutException($"{program} did not finish within {timeout.TotalSeconds:F0}s.");
            }

            var text = await output;
            return process.ExitCode == 0 ? text : throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {await error}");
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        private async Task<bool> AnswersAsync()
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[64];
                var read = await stream.ReadAsync(buffer);
                return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
            }
            catch (SocketException)
            {
                return false;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
