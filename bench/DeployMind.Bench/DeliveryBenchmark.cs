using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using DeployMind.Application.Configuration;
using DeployMind.Application.Deploy;
using DeployMind.Application.Deploy.Delivery;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Bench;

/// <summary>
/// Delivery of a ~100 MB image (60 MB of this machine's documentation and libraries, 40 MB of random bytes: part
/// compressible, part not, like a real image) to a host whose engine does not have it — host2 of the test services
/// (scripts/services/host2.sh: its own dockerd, reached over SSH at 127.0.0.1:2223) — four ways, on a fresh image each
/// run: the bare <c>docker save | ssh docker load</c> pipe, the same with <c>gzip -1</c>, DeployMind streaming
/// (<see cref="ImageDelivery"/> without a registry) and DeployMind through the test registry on 127.0.0.1:5000 (push here,
/// pull there). The image is removed from host2 between methods.
/// </summary>
internal static class DeliveryBenchmark
{
    private const string Docker = "/usr/bin/docker";
    private const string Host2Docker = "unix:///run/deploymind-host2/docker.sock";
    private const string Key = "/var/lib/deploymind-test/ssh/id_ed25519";
    private const string KnownHosts = "/var/lib/deploymind-test/host2/known_hosts";
    private const string Registry = "127.0.0.1:5000/bench";

    public static async Task<int> RunAsync(int runs, string outputPath)
    {
        using var host = CliHostFactory.Isolated().Create(null, null, verbose: false);
        var services = host.Services;
        var factory = services.GetRequiredService<IDeployHostFactory>();
        var host2 = factory.Create(new HostOptions { Name = "host2", Ssh = "ssh://root@127.0.0.1:2223", Key = Key, KnownHosts = KnownHosts });
        var delivery = services.GetRequiredService<ImageDelivery>();
        var registry = RegistrySettings.Parse(new() { Server = Registry }, "build.registry")!;
        var figures = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        long size = 0;
        var saved = new List<(long Raw, long Gzip)>();
        var work = Directory.CreateTempSubdirectory("dm-bench-delivery-");
        try
        {
            for (var run = 1; run <= runs; run++)
            {
                var image = $"dm-bench-delivery:r{run}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
                size = await BuildAsync(work.FullName, image);
                saved.Add((long.Parse((await Sh($"{Docker} save {image} | wc -c")).Trim(), CultureInfo.InvariantCulture),
                    long.Parse((await Sh($"{Docker} save {image} | gzip -1 | wc -c")).Trim(), CultureInfo.InvariantCulture)));
                async Task Measure(string method, Func<Task> transfer)
                {
                    await Sh($"DOCKER_HOST={Host2Docker} {Docker} image rm -f {image} {Registry}/{image} >/dev/null 2>&1; true");
                    var watch = Stopwatch.StartNew();
                    await transfer();
                    watch.Stop();
                    var id = await Sh($"DOCKER_HOST={Host2Docker} {Docker} image inspect --format '{{{{.Id}}}}' {image} {Registry}/{image} 2>/dev/null | head -n 1");
                    if (id.Trim().Length == 0)
                    {
                        throw new InvalidOperationException($"{method}: the image is not on host2 afterwards");
                    }

                    (figures.TryGetValue(method, out var list) ? list : figures[method] = []).Add(watch.Elapsed.TotalSeconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {run}: {method}: {watch.Elapsed.TotalSeconds:0.00} s"));
                }

                var ssh = $"ssh -i {Key} -o UserKnownHostsFile={KnownHosts} -o BatchMode=yes -p 2223 root@127.0.0.1";
                await Measure("bare pipe: docker save | ssh docker load", () => Sh($"{Docker} save {image} | {ssh} docker load >/dev/null"));
                await Measure("bare pipe, gzip -1: docker save | gzip -1 | ssh docker load", () => Sh($"{Docker} save {image} | gzip -1 | {ssh} docker load >/dev/null"));
                await Measure("DeployMind, streamed (gzip fastest, over its SSH runner)", () => delivery.DeliverAsync(Request(image, null, host2), NullDeployObserver.Instance, CancellationToken.None));
                await Measure("DeployMind, registry (push here + pull on host2, fresh layers)", () => delivery.DeliverAsync(Request($"{Registry}/{image}", (image, registry), host2), NullDeployObserver.Instance, CancellationToken.None));
                await Sh($"{Docker} image rm -f {image} {Registry}/{image} >/dev/null 2>&1; DOCKER_HOST={Host2Docker} {Docker} image rm -f {image} {Registry}/{image} >/dev/null 2>&1; true");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        var engine = (await Sh($"{Docker} version --format '{{{{.Server.Version}}}}'")).Trim();
        var report = new StringBuilder()
            .AppendLine("# Image delivery benchmark")
            .AppendLine()
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- delivery --runs {runs}`: a fresh {size / 1_000_000.0:0} MB image (docker's size; 60 MB of files from /usr, 40 MB random) per run, delivered to host2 (its own Docker engine in its own network namespace, SSH over loopback at 127.0.0.1:2223) four ways, the image removed from host2 before each."))
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"On: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, Docker engine {engine}, registry: Debian's docker-registry on 127.0.0.1:5000 (filesystem storage), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC."))
            .AppendLine()
            .AppendLine("| method | runs (s) | median (s) |")
            .AppendLine("| --- | --- | ---: |");
        foreach (var (method, values) in figures)
        {
            report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {method.Replace("|", "\\|", StringComparison.Ordinal)} | {string.Join(", ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} | {Median(values):0.00} |"));
        }

        var (raw, gzip) = (saved.Average(s => s.Raw), saved.Average(s => s.Gzip));
        report.AppendLine()
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"Bytes on the wire per delivery: {raw / 1_000_000:0.0} MB uncompressed (`docker save`), {gzip / 1_000_000:0.0} MB with gzip -1 ({gzip / raw:P0}); the registry sends the compressed layers it was pushed (docker compresses them with gzip too)."))
            .AppendLine()
            .AppendLine("Reading: over loopback the wire is free, so compression is only cost (CPU on 2 cores) and the bare uncompressed pipe wins; on a real link the bytes decide (at 100 Mbit/s the uncompressed archive alone needs about 8 s per 100 MB). DeployMind's streaming is the compressed pipe run through its SSH runner (SSH.NET) with progress counting, and lands within the spread of `docker save | gzip -1 | ssh docker load`; the registry is the only way that sends a layer once for many hosts and nothing for layers a host already has.");
        await File.WriteAllTextAsync(outputPath, report.ToString());
        Console.WriteLine(report);
        return 0;
    }

    private static DeployRequest Request(string image, (string Source, RegistrySettings Registry)? registry, DeployHost host) =>
        new(new ReleaseSpec("dm-bench-delivery", "r", image, null), [host], 8080, HealthPolicy.Default)
        {
            Delivery = new ImageDeliverySettings(registry?.Source ?? image, registry?.Registry, 3),
        };

    private static async Task<long> BuildAsync(string folder, string image)
    {
        var context = Directory.CreateDirectory(Path.Combine(folder, image.Replace(':', '-')));
        await File.WriteAllBytesAsync(Path.Combine(context.FullName, "random.bin"), RandomNumberGenerator.GetBytes(40_000_000));
        await Sh($"tar -cf - /usr/share/doc /usr/share/man /usr/lib/x86_64-linux-gnu 2>/dev/null | head -c 60000000 > {context.FullName}/files.tar");
        await File.WriteAllTextAsync(Path.Combine(context.FullName, "Dockerfile"), "FROM scratch\nCOPY files.tar /files.tar\nCOPY random.bin /random.bin\n");
        await Sh($"{Docker} build -q -t {image} {context.FullName} >/dev/null");
        context.Delete(recursive: true);
        return long.Parse((await Sh($"{Docker} image inspect --format '{{{{.Size}}}}' {image}")).Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> Sh(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"`{script}` exited {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
