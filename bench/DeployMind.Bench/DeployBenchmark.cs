using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using DeployMind.Application.Build;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Application.Deploy.Strategies;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using DeployMind.Infrastructure.Nginx;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Bench;

/// <summary>
/// Deploy overheads on this machine: DeployMind's rolling deploy of a prebuilt image against the bare docker/nginx
/// sequence run by a shell script, and how long traffic takes to be 100% stable again once a canary breaches.
/// </summary>
internal static class DeployBenchmark
{
    public static async Task<int> RunAsync(int runs, string outputPath)
    {
        var prefix = Directory.CreateTempSubdirectory("dm-bench-nginx-").FullName;
        using var host = new CliHostFactory(new Dictionary<string, string?> { ["nginx:prefix"] = prefix }, null, null)
            .Create(null, Path.Combine(BuildBenchmark.RepoRoot, "scripts", "base-images", "local.yml"), verbose: false);
        var image = await BuildImageAsync(host.Services);
        var local = host.Services.GetRequiredService<IDeployHostFactory>().Create(new HostOptions { Name = "local" });
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
            var deploymind = new List<double>();
            for (var i = 1; i <= runs; i++)
            {
                var outcome = Ensure(await rolling.DeployAsync(Request($"v{i}"), NullDeployObserver.Instance, CancellationToken.None));
                deploymind.Add(outcome.Duration.TotalSeconds);
                Console.WriteLine($"deploymind rolling {i}: {outcome.Duration.TotalSeconds:F2}s");
            }

            var bare = new List<double>();
            var listen = FreePort();
            var old = string.Empty;
            for (var i = 1; i <= runs; i++)
            {
                var name = $"bench-bare-{i}";
                var started = Stopwatch.GetTimestamp();
                await Sh(Path.Combine(BuildBenchmark.RepoRoot, "bench", "deploy", "bare-rolling.sh"), image, name, FreePort().ToString(CultureInfo.InvariantCulture), listen.ToString(CultureInfo.InvariantCulture), prefix, old, $"v{i}");
                bare.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                Console.WriteLine($"bare script rolling {i}: {bare[^1]:F2}s");
                old = name;
            }

            // 2. A canary that breaches (half of its answers are 500) under a steady load: from the moment it
            //    takes 10% of the traffic to the moment traffic is 100% on the stable release again.
            var breach = new List<(double StepToStable, double VerdictToStable)>();
            for (var i = 1; i <= runs; i++)
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
            var report = new StringBuilder()
                .AppendLine("# Deploy benchmark")
                .AppendLine()
                .AppendLine("What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- deploy` on the go-stdlib example image (built once, 6 MB, "
                    + "distroless), on this machine behind a managed nginx. Health checks every 250 ms, 3 consecutive passes; no drain.")
                .AppendLine()
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"On: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, Docker engine {engine}, nginx 1.22, {runs} runs each, {DateTime.UtcNow:yyyy-MM-dd}."))
                .AppendLine()
                .AppendLine("## Rolling deploy of a prebuilt image: DeployMind vs the bare commands")
                .AppendLine()
                .AppendLine("The baseline is `bench/deploy/bare-rolling.sh`: `docker run`, curl until 3 healthy answers, write the nginx site, `nginx -t`, reload, `docker stop` — the same steps without DeployMind's bookkeeping (listing containers and ports on the host, labels, reading the route back, keeping the previous site, pruning old releases).")
                .AppendLine()
                .AppendLine("| | median (s) | min (s) | max (s) |")
                .AppendLine("| --- | ---: | ---: | ---: |")
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| DeployMind rolling | {Median(deploymind):F2} | {deploymind.Min():F2} | {deploymind.Max():F2} |"))
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| bare script | {Median(bare):F2} | {bare.Min():F2} | {bare.Max():F2} |"))
                .AppendLine()
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"Overhead ratio (median DeployMind / median script): **{Median(deploymind) / Median(bare):F2}×**."))
                .AppendLine()
                .AppendLine("## Canary breach to 100% stable")
                .AppendLine()
                .AppendLine("A canary whose `/` answers 500 half the time, under a steady load (2 clients, new connection per request), steps of 5 s, limit 5%. "
                    + "Measured from the moment nginx gave the canary 10% to the moment the route was back on the stable release alone. The window so far is read every health interval (250 ms here), so a breach is caught before the step ends.")
                .AppendLine()
                .AppendLine("| | median | min | max |")
                .AppendLine("| --- | ---: | ---: | ---: |")
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| 10% → stable (s) | {Median([.. breach.Select(b => b.StepToStable)]):F2} | {breach.Min(b => b.StepToStable):F2} | {breach.Max(b => b.StepToStable):F2} |"))
                .AppendLine(string.Create(CultureInfo.InvariantCulture, $"| verdict → stable (ms) | {Median([.. breach.Select(b => b.VerdictToStable)]):F0} | {breach.Min(b => b.VerdictToStable):F0} | {breach.Max(b => b.VerdictToStable):F0} |"));
            Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
            await File.WriteAllTextAsync(outputPath, report.ToString());
            Console.WriteLine(report);

            foreach (var c in await local.Runtime.ListAsync(app, CancellationToken.None))
            {
                await local.Runtime.RemoveAsync(c.Name, CancellationToken.None);
            }

            await Capture("sh", "-c", "docker rm -f $(docker ps -aq --filter label=io.deploymind.app=bench-bare) >/dev/null 2>&1; true");
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

    private static async Task Sh(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardError = true };
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
