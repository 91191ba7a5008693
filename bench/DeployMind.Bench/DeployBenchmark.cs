using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using DeployMind.Application.Build;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.Bench;

/// <summary>
/// Deploy overheads on this machine: DeployMind's rolling deploy of a prebuilt image against the bare docker/nginx
/// sequence run by a shell script, and how long traffic takes to be 100% stable again once a canary breaches.
/// </summary>
internal static class DeployBenchmark
{
    public static async Task<int> RunAsync(int runs, string outputPath, bool rollingOnly = false)
    {
        var prefix = Directory.CreateTempSubdirectory("dm-bench-nginx-").FullName;
        using var host = new CliHostFactory(new Dictionary<string, string?> { ["nginx:prefix"] = prefix }, null, null)
            .Create(null, Path.Combine(BuildBenchmark.RepoRoot, "scripts", "base-images", "local.yml"), verbose: false);
        var image = await BuildImageAsync(host.Services);
        // The local host as the factory assembles it, with every host command and health probe timed (DeployTrace).
        var trace = new DeployTrace();
        var runner = new DeployTrace.Runner(host.Services.GetRequiredService<ICommandRunner>(), trace);
        var nginxOptions = host.Services.GetRequiredService<IOptions<NginxOptions>>().Value;
        using var tracedRouter = new NginxTrafficRouter(runner, nginxOptions, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<NginxTrafficRouter>.Instance, fetchInProcess: true);
        // This machine's engine on its socket, as the factory gives the local host, with each request timed too.
        using var localEngine = DockerEngine.LocalSocket(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is { } socket
            ? new DockerEngine(socket, handler => new DeployTrace.EngineHandler(handler, trace))
            : null;
        var local = new DeployHost(
            "local",
            localEngine is null ? new DockerContainerRuntime(runner) : new DockerEngineRuntime(new DockerContainerRuntime(runner), localEngine, runner.Name),
            tracedRouter,
            new DeployTrace.Probe(host.Services.GetRequiredService<IHttpProbe>(), trace),
            new ListeningPortAllocator(runner, local: true));
        var rolling = host.Services.GetRequiredService<RollingStrategy>();
        var canary = host.Services.GetServices<IDeploymentStrategy>().OfType<CanaryStrategy>().Single();
        var health = new HealthPolicy("/health", TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(30));
        try
        {
            // 1. Rolling deploys of the same prebuilt image: DeployMind vs the bare script.
            var app = "benchroll";
            var port = FreePort();
            DeployRequest Request(string version, IReadOnlyDictionary<string, string>? extra = null)
            {
                var env = new Dictionary<string, string> { ["APP_VERSION"] = version };
                foreach (var (k, v) in extra ?? new Dictionary<string, string>())
                {
                    env[k] = v;
                }

                return new DeployRequest(new ReleaseSpec(app, version, image, null) { Environment = env }, [local], port, health)
                {
                    Drain = TimeSpan.Zero,
                    KeepReleases = 2,
                    Canary = new CanaryPolicy([10, 50, 100], TimeSpan.FromSeconds(5), 0.05, 20, InsufficientDataAction.Fail),
                };
            }

            Ensure(await rolling.DeployAsync(Request("v0"), NullDeployObserver.Instance, CancellationToken.None));
            // The two sides alternate, run by run, so a change in the shared machine's load falls on both.
            var deploymind = new List<double>();
            var traces = new List<(double Seconds, IReadOnlyList<DeployTrace.Entry> Entries)>();
            var housekeeping = new List<double>();
            var bare = new List<double>();
            var bareSteps = new List<IReadOnlyList<(string Step, double Ms)>>();
            var guarded = new List<double>();
            var guardedSteps = new List<IReadOnlyList<(string Step, double Ms)>>();
            var listen = FreePort();
            var guardedListen = FreePort();
            var old = string.Empty;
            var guardedOld = string.Empty;
            var loadAverages = new List<double>();
            for (var i = 1; i <= runs; i++)
            {
                loadAverages.Add(LoadAverage());
                trace.Reset();
                var outcome = Ensure(await rolling.DeployAsync(Request($"v{i}"), new DeployTrace.Observer(trace), CancellationToken.None));
                deploymind.Add(outcome.Duration.TotalSeconds);
                traces.Add((outcome.Duration.TotalSeconds, trace.Entries));
                housekeeping.Add(outcome.Housekeeping.TotalSeconds);
                Console.WriteLine($"deploymind rolling {i}: {outcome.Duration.TotalSeconds:F2}s (+ {outcome.Housekeeping.TotalSeconds:F2}s housekeeping)");

                var name = $"bench-bare-{i}";
                var started = Stopwatch.GetTimestamp();
                var xtrace = await Sh(Path.Combine(BuildBenchmark.RepoRoot, "bench", "deploy", "bare-rolling.sh"), image, name, FreePort().ToString(CultureInfo.InvariantCulture), listen.ToString(CultureInfo.InvariantCulture), prefix, old, $"v{i}");
                bare.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                bareSteps.Add(DeployTrace.BareSteps(xtrace, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0));
                Console.WriteLine($"bare script rolling {i}: {bare[^1]:F2}s");
                old = name;

                var guardedName = $"bench-guarded-{i}";
                started = Stopwatch.GetTimestamp();
                xtrace = await Sh(Path.Combine(BuildBenchmark.RepoRoot, "bench", "deploy", "bare-rolling-guarded.sh"), image, guardedName, FreePort().ToString(CultureInfo.InvariantCulture), guardedListen.ToString(CultureInfo.InvariantCulture), prefix, guardedOld, $"v{i}");
                guarded.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                guardedSteps.Add(DeployTrace.BareSteps(xtrace, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0));
                Console.WriteLine($"guarded script rolling {i}: {guarded[^1]:F2}s");
                guardedOld = guardedName;
            }

            // 1b. Requests through nginx while each one deploys, in a pass of its own (the load would slow the timed runs):
            //     what a deploy that does not wait for nginx's handover costs its users.
            var dropRuns = Math.Min(runs, 5);
            var failed = new Dictionary<string, (int Failed, int Total)> { ["deploymind"] = (0, 0), ["bare"] = (0, 0), ["guarded"] = (0, 0) };
            void Count(string side, (int Failed, int Total) seen) =>
                failed[side] = (failed[side].Failed + seen.Failed, failed[side].Total + seen.Total);
            for (var j = 1; j <= dropRuns; j++)
            {
                var i = runs + j;
                Count("deploymind", await UnderLoadAsync(port, async () => Ensure(await rolling.DeployAsync(Request($"v{i}"), NullDeployObserver.Instance, CancellationToken.None))));
                var name = $"bench-bare-{i}";
                Count("bare", await UnderLoadAsync(listen, () => Sh(Path.Combine(BuildBenchmark.RepoRoot, "bench", "deploy", "bare-rolling.sh"), image, name, FreePort().ToString(CultureInfo.InvariantCulture), listen.ToString(CultureInfo.InvariantCulture), prefix, old, $"v{i}")));
                old = name;
                var guardedName = $"bench-guarded-{i}";
                Count("guarded", await UnderLoadAsync(guardedListen, () => Sh(Path.Combine(BuildBenchmark.RepoRoot, "bench", "deploy", "bare-rolling-guarded.sh"), image, guardedName, FreePort().ToString(CultureInfo.InvariantCulture), guardedListen.ToString(CultureInfo.InvariantCulture), prefix, guardedOld, $"v{i}")));
                guardedOld = guardedName;
                Console.WriteLine($"under load {j}: failed requests deploymind {failed["deploymind"].Failed}/{failed["deploymind"].Total}, bare {failed["bare"].Failed}/{failed["bare"].Total}, guarded {failed["guarded"].Failed}/{failed["guarded"].Total}");
            }

            // 2. A canary that breaches (half of its answers are 500) under a steady load: from the moment it
            //    takes 10% of the traffic to the moment traffic is 100% on the stable release again.
            var breach = new List<(double StepToStable, double VerdictToStable)>();
            for (var i = 1; i <= (rollingOnly ? 0 : runs); i++)
            {
                using var stop = new CancellationTokenSource();
                var load = Task.Run(() => LoadAsync(port, stop.Token));
                var observer = new TimingObserver();
                var outcome = await canary.DeployAsync(Request($"bad{i}", new Dictionary<string, string> { ["FAIL_RATE"] = "0.5" }), observer, CancellationToken.None);
                await stop.CancelAsync();
                await load;
                if (outcome.Status != DeployStatus.RolledBack || observer.CanaryOn is null || observer.Verdict is null || observer.BackToStable is null)
                {
                    throw new InvalidOperationException($"expected a rollback, got {outcome.Status}: {outcome.Reason}");
                }

                breach.Add(((observer.BackToStable.Value - observer.CanaryOn.Value).TotalSeconds, (observer.BackToStable.Value - observer.Verdict.Value).TotalMilliseconds));
                Console.WriteLine($"canary breach {i}: {breach[^1].StepToStable:F2}s from 10% to stable, {breach[^1].VerdictToStable:F0} ms from verdict to stable");
            }

            var engine = (await Capture("docker", "version", "--format", "{{.Server.Version}}")).Trim();
            var header = new StringBuilder()
                .AppendLine("# Deploy benchmark")
                .AppendLine()
                .AppendLine("What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- deploy` on the go-stdlib example image (built once, 6 MB, "
                    + "distroless), on this machine behind a managed nginx. Health checks every 250 ms, 3 consecutive passes; no drain.")
                .AppendLine()
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"On: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, Docker engine {engine}, nginx 1.22, {runs} runs each, {DateTime.UtcNow:yyyy-MM-dd}."))
                .AppendLine();
            var rollingSection = RollingSection(deploymind, housekeeping, bare, guarded, traces, bareSteps, guardedSteps, loadAverages, failed, dropRuns);
            var sections = new List<string> { rollingSection };
            if (breach.Count > 0)
            {
                sections.Add(new StringBuilder()
                    .AppendLine("## Canary breach to 100% stable")
                    .AppendLine()
                    .AppendLine("A canary whose `/` answers 500 half the time, under a steady load (2 clients, new connection per request), steps of 5 s, limit 5%. "
                        + "Measured from the moment nginx gave the canary 10% to the moment the route was back on the stable release alone. The window so far is read every health interval (250 ms here), so a breach is caught before the step ends.")
                    .AppendLine()
                    .AppendLine("| | median | min | max |")
                    .AppendLine("| --- | ---: | ---: | ---: |")
                    .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| 10% → stable (s) | {Median([.. breach.Select(b => b.StepToStable)]):F2} | {breach.Min(b => b.StepToStable):F2} | {breach.Max(b => b.StepToStable):F2} |"))
                    .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| verdict → stable (ms) | {Median([.. breach.Select(b => b.VerdictToStable)]):F0} | {breach.Min(b => b.VerdictToStable):F0} | {breach.Max(b => b.VerdictToStable):F0} |"))
                    .ToString());
            }

            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            var existing = File.Exists(outputPath) ? await File.ReadAllTextAsync(outputPath) : string.Empty;
            await File.WriteAllTextAsync(outputPath, ReplaceSections(existing, header.ToString(), sections));
            Console.WriteLine(header);
            foreach (var section in sections)
            {
                Console.WriteLine(section);
            }

            foreach (var c in await local.Runtime.ListAsync(app, CancellationToken.None))
            {
                await local.Runtime.RemoveAsync(c.Name, CancellationToken.None);
            }

            await Capture("sh", "-c", "docker rm -f $(docker ps -aq --filter label=io.deploymind.app=bench-bare) >/dev/null 2>&1; rm -rf \"${TMPDIR:-/tmp}/bench-guarded-env\"; true");
            await Capture("docker", "image", "rm", image);
            return 0;
        }
        finally
        {
            var router = new NginxTrafficRouter(
                new Infrastructure.Processes.LocalProcessRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger<Infrastructure.Processes.LocalProcessRunner>.Instance, TimeProvider.System),
                new NginxOptions { Prefix = prefix }, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<NginxTrafficRouter>.Instance);
            await router.StopAsync(CancellationToken.None);
            Directory.Delete(prefix, recursive: true);
        }
    }

    private static async Task<string> BuildImageAsync(IServiceProvider services)
    {
        var work = Directory.CreateTempSubdirectory("dm-bench-go-");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(BuildBenchmark.RepoRoot, "examples", "go-stdlib")))
        {
            File.Copy(file, Path.Combine(work.FullName, Path.GetFileName(file)));
        }

        var builds = services.GetRequiredService<BuildService>();
        var plan = await builds.PlanAsync(work.FullName, "dm-bench-deploy:go", CancellationToken.None);
        var result = await builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
        work.Delete(recursive: true);
        return result.Success ? result.ImageTag : throw new InvalidOperationException(result.Error);
    }

    private static DeployOutcome Ensure(DeployOutcome outcome) =>
        outcome.Status == DeployStatus.Succeeded ? outcome : throw new InvalidOperationException(outcome.Reason);

    private static async Task LoadAsync(int port, CancellationToken stop)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var workers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 100_000 && !stop.IsCancellationRequested && DateTime.UtcNow < deadline; i++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
                    request.Headers.ConnectionClose = true;
                    using var response = await client.SendAsync(request, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                }
            }
        }));
        await Task.WhenAll(workers);
    }

    /// <summary>
    /// Runs <paramref name="deploy"/> while 2 clients send GET / through nginx on <paramref name="port"/> back to back, a
    /// new connection each (bounded: 20,000 requests, 2 minutes); what failed (refused, reset, not 200) of how many.
    /// </summary>
    private static async Task<(int Failed, int Total)> UnderLoadAsync(int port, Func<Task> deploy)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var failedCount = 0;
        var total = 0;
        var workers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/"));
                    request.Headers.ConnectionClose = true;
                    using var response = await client.SendAsync(request, stop.Token);
                    Interlocked.Increment(ref total);
                    if (response.StatusCode != System.Net.HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failedCount);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref total);
                    Interlocked.Increment(ref failedCount);
                }
            }
        })).ToList();
        try
        {
            // The route answers before the deploy starts (so a failure is the deploy's, not the load's start).
            await Task.Delay(200);
            await deploy();
            await Task.Delay(200);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers);
        }

        return (failedCount, total);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Runs a bash script traced (PS4 "+ $EPOCHREALTIME ": a timestamp per command) and returns the trace.</summary>
    private static async Task<string> Sh(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true };
        psi.Environment["LC_NUMERIC"] = "C";
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("PS4='+ $EPOCHREALTIME '; set -x; source \"$0\" \"$@\"");
        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} failed: {error}");
        }

        return error;
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    /// <summary>The results file with its header and these sections replaced (sections of other benchmarks, e.g. traffic, stay).</summary>
    private static string ReplaceSections(string existing, string header, IReadOnlyList<string> sections)
    {
        var first = existing.IndexOf("\n## ", StringComparison.Ordinal);
        var text = first < 0 ? string.Empty : existing[(first + 1)..];
        var kept = new List<string>();
        foreach (var part in text.Split("\n## ").Select((p, i) => i == 0 ? p : "## " + p).Where(p => p.StartsWith("## ", StringComparison.Ordinal)))
        {
            var title = part.Split('\n')[0];
            if (!sections.Any(s => s.StartsWith(title + "\n", StringComparison.Ordinal)))
            {
                kept.Add(part.TrimEnd('\n') + "\n");
            }
        }

        return header.TrimEnd('\n') + "\n\n" + string.Join("\n", sections.Select(s => s.TrimEnd('\n') + "\n").Concat(kept));
    }

    /// <summary>
    /// The rolling comparison: the figures, then where the time goes on each side — DeployMind's host commands and health
    /// probes (from the trace of every run), the bare script's steps (from its xtrace) — and one median run command by command.
    /// </summary>
    private static string RollingSection(
        List<double> deploymind, List<double> housekeeping, List<double> bare, List<double> guarded, List<(double Seconds, IReadOnlyList<DeployTrace.Entry> Entries)> traces,
        List<IReadOnlyList<(string Step, double Ms)>> bareSteps, List<IReadOnlyList<(string Step, double Ms)>> guardedSteps, List<double> load,
        Dictionary<string, (int Failed, int Total)> failed, int dropRuns)
    {
        static string F(FormattableString value) => FormattableString.Invariant(value);
        var text = new StringBuilder()
            .AppendLine("## Rolling deploy of a prebuilt image: DeployMind vs the bare commands")
            .AppendLine()
            .AppendLine("Two baselines. `bench/deploy/bare-rolling.sh`: `docker run`, curl until 3 healthy answers, write the nginx site, `nginx -t`, reload, `docker stop` — "
                + "the same steps without DeployMind's bookkeeping, and without the guarantees DeployMind must give. `bench/deploy/bare-rolling-guarded.sh`: the same script with "
                + "those guarantees, each a step DeployMind cannot leave out: the app's variables in a 0600 env file (never on a command line: they may be secrets), the previous "
                + "site kept to be put back if nginx rejects the new one, the site swapped in by rename, and the switch counted only once nginx serves the new release "
                + "(a reload is a signal nginx applies asynchronously; a failed one is only in its error log) — curl through nginx every 50 ms until it answers the new version. "
                + "Neither script lists the host's containers or ports (the bench gives it a free port), labels, records or prunes anything. "
                + "Each run deploys with DeployMind, then runs each script, so all see the same load on the shared machine. "
                + "DeployMind's time is the strategy's own duration (start of the deploy to the previous release stopped); a script's is its process from start to exit.")
            .AppendLine()
            .AppendLine(F($"Load average (1 min) before each run: {string.Join(", ", load.Select(l => l.ToString("F1", CultureInfo.InvariantCulture)))} on {Environment.ProcessorCount} cores."))
            .AppendLine()
            .AppendLine("| | median (s) | min (s) | max (s) |")
            .AppendLine("| --- | ---: | ---: | ---: |")
            .AppendLine(F($"| DeployMind rolling (done: new release serving, previous one stopped) | {Median(deploymind):F2} | {deploymind.Min():F2} | {deploymind.Max():F2} |"))
            .AppendLine(F($"| … then its housekeeping (removing releases beyond keepReleases: 2 here) | {Median(housekeeping):F2} | {housekeeping.Min():F2} | {housekeeping.Max():F2} |"))
            .AppendLine(F($"| bare script (removes nothing: its containers pile up) | {Median(bare):F2} | {bare.Min():F2} | {bare.Max():F2} |"))
            .AppendLine(F($"| guarded script (the bare one with DeployMind's guarantees) | {Median(guarded):F2} | {guarded.Min():F2} | {guarded.Max():F2} |"))
            .AppendLine()
            .AppendLine(F($"Overhead ratio (median DeployMind / median script): **{Median(deploymind) / Median(bare):F2}×**; per run (DeployMind / the script right after it): {string.Join(", ", deploymind.Zip(bare, (d, b) => (d / b).ToString("F2", CultureInfo.InvariantCulture)))}. ")
                + F($"With the housekeeping (which the script does not do): {Median([.. deploymind.Zip(housekeeping, (d, h) => d + h)]) / Median(bare):F2}×."))
            .AppendLine()
            .AppendLine(F($"Against the guarded script (median DeployMind / median guarded script): **{Median(deploymind) / Median(guarded):F2}×**; per run: {string.Join(", ", deploymind.Zip(guarded, (d, b) => (d / b).ToString("F2", CultureInfo.InvariantCulture)))}. ")
                + F($"The guarded script costs {Median(guarded) / Median(bare):F2}× the bare one."))
            .AppendLine();

        string Failed(string side) => F($"{failed[side].Failed} of {failed[side].Total}");
        text.Append(F($"Requests that failed through nginx while each deployed ({dropRuns} more deploys each, in a pass of their own after the timed runs; 2 clients "))
            .AppendLine("sending `GET /` back to back through the app's nginx port, a new connection each; failed = refused, reset, or an answer other than 200):")
            .AppendLine()
            .AppendLine("| | failed of sent |")
            .AppendLine("| --- | ---: |")
            .AppendLine($"| DeployMind rolling | {Failed("deploymind")} |")
            .AppendLine($"| bare script | {Failed("bare")} |")
            .AppendLine($"| guarded script | {Failed("guarded")} |")
            .AppendLine()
            .AppendLine("The bare script stops the old container as soon as `nginx -s reload` returns. nginx's graceful reload starts the new workers, waits 100 ms, "
                + "and only then tells the old ones to stop accepting: the connections those take meanwhile are proxied to a container that is stopping. "
                + "DeployMind and the guarded script stop it only once nginx serves the new release (DeployMind: and the old workers are shutting down).")
            .AppendLine();

        // DeployMind: per kind of command, calls and time per deploy (medians over the runs).
        var kinds = traces.SelectMany(t => t.Entries).Where(e => !e.Marker).Select(e => e.What).Distinct().ToList();
        var rows = kinds.Select(k => (
                What: k,
                Calls: Median([.. traces.Select(t => (double)t.Entries.Count(e => e.What == k && !e.Marker))]),
                Ms: Median([.. traces.Select(t => t.Entries.Where(e => e.What == k && !e.Marker).Sum(e => e.Ms))])))
            .OrderByDescending(r => r.Ms)
            .ToList();
        var busy = traces.Select(t => Busy(t.Entries)).ToList();
        text.AppendLine("### Where DeployMind's time goes (medians per deploy over the runs)")
            .AppendLine()
            .AppendLine("Every host command (through the host's command runner) and health probe of the deploy, timed by a recording runner around the real one (`bench/DeployMind.Bench/DeployTrace.cs`).")
            .AppendLine()
            .AppendLine("| host command or probe | calls | ms |")
            .AppendLine("| --- | ---: | ---: |");
        foreach (var (what, calls, ms) in rows)
        {
            text.AppendLine(F($"| {what} | {calls:0.#} | {ms:F0} |"));
        }

        var idle = traces.Select((t, i) => (t.Seconds * 1000) - busy[i]).ToList();
        text.AppendLine(F($"| **all commands and probes** (union of their times) | {Median([.. traces.Select(t => (double)t.Entries.Count(e => !e.Marker))]):0.#} | **{Median(busy):F0}** |"))
            .AppendLine(F($"| between them (health interval waits, in-process work) | | {Median(idle):F0} |"))
            .AppendLine();

        // The scripts' steps.
        var steps = bareSteps.Concat(guardedSteps).SelectMany(s => s.Select(x => x.Step)).Distinct().ToList();
        text.AppendLine("### Where the scripts' time goes (medians per run, from their xtrace)")
            .AppendLine()
            .AppendLine("| step | bare ms | guarded ms |")
            .AppendLine("| --- | ---: | ---: |");
        foreach (var step in steps)
        {
            text.AppendLine(F($"| {step} | {Median([.. bareSteps.Select(s => s.Where(x => x.Step == step).Sum(x => x.Ms))]):F0} | {Median([.. guardedSteps.Select(s => s.Where(x => x.Step == step).Sum(x => x.Ms))]):F0} |"));
        }

        text.AppendLine(F($"| (process start, bash startup, exit: the rest) | {Median([.. bare.Select((b, i) => (b * 1000) - bareSteps[i].Sum(x => x.Ms))]):F0} | {Median([.. guarded.Select((b, i) => (b * 1000) - guardedSteps[i].Sum(x => x.Ms))]):F0} |"))
            .AppendLine();

        // One deploy (the median one), command by command.
        var median = traces.OrderBy(t => t.Seconds).ElementAt(traces.Count / 2);
        text.AppendLine(F($"### One DeployMind deploy command by command (the median run, {median.Seconds:F2} s)"))
            .AppendLine()
            .AppendLine("`»` lines are the strategy's steps as it reports them.")
            .AppendLine()
            .AppendLine("| at ms | ms | command |")
            .AppendLine("| ---: | ---: | --- |");
        foreach (var entry in median.Entries)
        {
            text.AppendLine(entry.Marker
                ? F($"| {entry.StartMs:F0} | | {entry.What.Replace("|", "\\|", StringComparison.Ordinal)} |")
                : F($"| {entry.StartMs:F0} | {entry.Ms:F0} | {entry.What} |"));
        }

        return text.ToString();
    }

    /// <summary>Milliseconds during which at least one command or probe ran (overlapping ones counted once).</summary>
    private static double Busy(IReadOnlyList<DeployTrace.Entry> entries)
    {
        var total = 0.0;
        var end = double.MinValue;
        foreach (var e in entries.Where(e => !e.Marker).OrderBy(e => e.StartMs))
        {
            var start = Math.Max(e.StartMs, end);
            var finish = e.StartMs + e.Ms;
            if (finish > start)
            {
                total += finish - start;
            }

            end = Math.Max(end, finish);
        }

        return total;
    }

    private static async Task<string> Capture(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    /// <summary>Times the canary's moments from the strategy's own steps.</summary>
    private sealed class TimingObserver : IDeployObserver
    {
        public DateTime? CanaryOn { get; private set; }

        public DateTime? Verdict { get; private set; }

        public DateTime? BackToStable { get; private set; }

        public void Step(string host, string message)
        {
            if (message.StartsWith("canary at 10%", StringComparison.Ordinal))
            {
                CanaryOn ??= DateTime.UtcNow;
            }
            else if (message.Contains("step: Unhealthy", StringComparison.Ordinal))
            {
                Verdict ??= DateTime.UtcNow;
            }
            else if (message.StartsWith("traffic back on the stable release", StringComparison.Ordinal))
            {
                BackToStable ??= DateTime.UtcNow;
            }
        }

        public void Health(string host, HealthReport report)
        {
        }

        public void Progress(string host, string message)
        {
        }
    }
}
