using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Build;
using Microsoft.Extensions.DependencyInjection;

namespace DeployMind.Bench;

/// <summary>
/// Per example app: a cold build (no layer cache), a rebuild after a source-only change, and the image size of
/// the generated Dockerfile against a naive single-stage one. Real Docker builds on the local engine.
/// </summary>
internal static class BuildBenchmark
{
    private static readonly (string Example, string SourceFile, string NaiveDockerfile)[] Examples =
    [
        ("node-express", "server.js", "FROM {node}\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"server.js\"]\n"),
        ("python-stdlib", "app.py", "FROM {python}\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nCMD [\"python\", \"app.py\"]\n"),
        ("go-stdlib", "main.go", "FROM {golang}\nWORKDIR /src\nCOPY . .\nRUN go build -o /app/server .\nCMD [\"/app/server\"]\n"),
    ];

    public static string RepoRoot { get; } = FindRoot();

    /// <param name="runs">Cold build and rebuild pairs per example and builder.</param>
    /// <param name="outputPath">The results file.</param>
    /// <param name="only">The examples to run (null: all).</param>
    public static async Task<int> RunAsync(int runs, string outputPath, IReadOnlyCollection<string>? only = null)
    {
        var config = Path.Combine(RepoRoot, "scripts", "base-images", "local.yml");
        // The same configuration with the classic builder forced: today's figures, measured in the same run.
        var classicConfig = Path.Combine(Path.GetTempPath(), $"dm-bench-classic-{Environment.ProcessId}.yml");
        await File.WriteAllTextAsync(classicConfig, (await File.ReadAllTextAsync(config)).Replace("build:\n", "build:\n  builder: classic\n", StringComparison.Ordinal));
        using var host = CliHostFactory.Isolated().Create(null, config, verbose: false);
        using var classicHost = CliHostFactory.Isolated().Create(null, classicConfig, verbose: false);
        using var scope = host.Services.CreateScope();
        using var classicScope = classicHost.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<BuildService>();
        var classicService = classicScope.ServiceProvider.GetRequiredService<BuildService>();
        var builderInfo = await service.BuilderAsync(CancellationToken.None);
        var builder = host.Services.GetRequiredService<IImageBuilder>();
        var options = scope.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<BuildOptions>>().Value;
        var rows = new List<string>();
        try
        {
            foreach (var (example, sourceFile, naive) in Examples.Where(e => only is null || only.Contains(e.Example)))
            {
                var work = Directory.CreateTempSubdirectory("dm-bench-");
                try
                {
                    CopyFolder(Path.Combine(RepoRoot, "examples", example), work.FullName);
                    var tag = $"dm-bench-{example}:latest-run";
                    var (classicCold, classicWarm, kitCold, kitWarm) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
                    BuildResult? last = null;
                    var edits = 0;
                    for (var run = 0; run < runs; run++)
                    {
                        var (cold, warm, _) = await ColdAndRebuildAsync(classicService, work.FullName, sourceFile, tag, edits++, clearCacheMounts: false);
                        classicCold.Add(cold.Duration.TotalSeconds);
                        classicWarm.Add(warm.Duration.TotalSeconds);
                        Console.WriteLine($"{example} run {run + 1} classic: cold {cold.Duration.TotalSeconds:F1}s, rebuild {warm.Duration.TotalSeconds:F1}s ({warm.CacheHits} cached steps)");

                        // A BuildKit cold build starts with empty cache mounts too: --no-cache keeps them.
                        (cold, warm, _) = await ColdAndRebuildAsync(service, work.FullName, sourceFile, tag, edits++, clearCacheMounts: true);
                        kitCold.Add(cold.Duration.TotalSeconds);
                        kitWarm.Add(warm.Duration.TotalSeconds);
                        last = warm;
                        Console.WriteLine($"{example} run {run + 1} {warm.Builder}: cold {cold.Duration.TotalSeconds:F1}s, rebuild {warm.Duration.TotalSeconds:F1}s ({warm.CacheHits} cached steps)");
                    }

                    var naiveFile = Path.Combine(work.FullName, "..", Path.GetFileName(work.FullName) + ".naive.Dockerfile");
                    var naiveText = naive
                        .Replace("{node}", BaseImageCatalog.Resolve(BaseImageCatalog.Node, options.BaseImages), StringComparison.Ordinal)
                        .Replace("{python}", BaseImageCatalog.Resolve(BaseImageCatalog.Python, options.BaseImages), StringComparison.Ordinal)
                        .Replace("{golang}", BaseImageCatalog.Resolve(BaseImageCatalog.Golang, options.BaseImages), StringComparison.Ordinal);
                    await File.WriteAllTextAsync(naiveFile, naiveText);
                    var naiveTag = $"dm-bench-{example}-naive:latest-run";
                    var naiveResult = Ensure(await builder.BuildAsync(new ImageBuildRequest(work.FullName, naiveFile, naiveTag) { Network = options.Network }, null, CancellationToken.None));
                    File.Delete(naiveFile);

                    rows.Add(string.Create(CultureInfo.InvariantCulture,
                        $"| {example} | {Median(classicCold):F1} | {Median(classicWarm):F1} | {Median(classicWarm) / Median(classicCold):F2}× | {Median(kitCold):F1} | {Median(kitWarm):F1} | **{Median(kitWarm) / Median(kitCold):F2}×** | {Median(kitCold) / Median(classicCold):F2}× | {last!.CacheHits} | {last.SizeMb:F1} ({last.Layers} layers) | {naiveResult.SizeMb:F1} ({naiveResult.Layers} layers) | {100 * (1 - (last.SizeMb / naiveResult.SizeMb)):F0}% |"));
                    await Docker("image", "rm", "--force", tag, naiveTag);
                }
                finally
                {
                    work.Delete(recursive: true);
                }
            }
        }
        finally
        {
            File.Delete(classicConfig);
        }

        var engine = await DockerVersion();
        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";
        var report = new StringBuilder()
            .AppendLine("# Build benchmark")
            .AppendLine()
            .AppendLine("What ran: `dotnet run -c Release --project bench/DeployMind.Bench -- build` — for each example app, "
                + $"{runs} time(s), with the classic builder (`build.builder: classic`, the classic template) and then with the builder DeployMind picks "
                + $"(here: {builderInfo.Name}; {builderInfo.Reason}; the BuildKit template with cache mounts): a cold build of the generated Dockerfile "
                + "(`--no-cache`; before the BuildKit one, the engine's cache mounts are emptied with `docker builder prune --filter type=exec.cachemount`, "
                + "since `--no-cache` keeps them), then a rebuild after appending a comment to one source file (layer cache and cache mounts on). "
                + "Then the same app built from a naive single-stage Dockerfile (`COPY . .` + install in the language image) for the size comparison. "
                + "Durations are wall time of `docker build` as measured by DeployMind's builder (median of the runs); sizes are `docker image inspect` sizes in MB (10^6 bytes).")
            .AppendLine()
            .AppendLine(string.Create(CultureInfo.InvariantCulture, $"On: {Environment.ProcessorCount} cores shared with other engineers' builds and tests (load average {load} when the run ended — absolute times are inflated and noisy, compare the ratios, which are measured in the same run), {RuntimeInformation.OSDescription}, {engine}, base images built locally by scripts/base-images/build.sh; dependencies from the npm registry for node-express. Date: {DateTime.UtcNow:yyyy-MM-dd}."))
            .AppendLine()
            .AppendLine("| example | classic cold (s) | classic rebuild (s) | classic rebuild / cold | BuildKit cold (s) | BuildKit rebuild (s) | BuildKit rebuild / cold | BuildKit cold / classic cold | cached steps on rebuild | generated image (MB) | naive single-stage image (MB) | smaller by |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            report.AppendLine(row);
        }

        report.AppendLine()
            .AppendLine("Goal (issue 23): rebuild after a source-only change ≤ 0.10× the cold build for Go, ≤ 0.20× for Node.js and Python; cold builds no slower than today.")
            .AppendLine()
            .AppendLine("Reading the figures: both builders reuse every layer up to the sources (dependency manifests and their install come first), "
                + "so a rebuild costs what the changed sources cost: copying them for Node.js and Python, recompiling for Go. With the classic builder `go build` "
                + "starts with an empty build cache in its layer and recompiles the standard library; with BuildKit the Go build cache lives in a cache mount, so "
                + "only the changed package is compiled. BuildKit also skips the per-step containers and commits of the classic builder, which is most of a Node.js "
                + "or Python rebuild. Image size is dominated by the runtime base: the multi-stage template pays off where the toolchain is not needed at run time "
                + "(Go: a static binary on a distroless base); for the stdlib-only Python app and the Express app the runtime base is the same image the naive file "
                + "uses, so sizes are close (the naive Node image also carries the npm cache).");
        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        await File.WriteAllTextAsync(outputPath, report.ToString());
        Console.WriteLine(report);
        return 0;
    }

    /// <summary>A cold build (no layer cache; with <paramref name="clearCacheMounts"/>, no cache mounts either), then a rebuild after a one-line source edit.</summary>
    private static async Task<(BuildResult Cold, BuildResult Warm, BuildPlan Plan)> ColdAndRebuildAsync(BuildService service, string folder, string sourceFile, string tag, int edit, bool clearCacheMounts)
    {
        await Docker("image", "rm", "--force", tag);
        if (clearCacheMounts)
        {
            await Docker("builder", "prune", "--force", "--filter", "type=exec.cachemount");
        }

        var plan = await service.PlanAsync(folder, tag, CancellationToken.None);
        var cold = Ensure(await service.BuildAsync(plan, null, noCache: true, CancellationToken.None));
        await File.AppendAllTextAsync(Path.Combine(folder, sourceFile), $"\n{Comment(sourceFile)} bench edit {edit}\n");
        plan = await service.PlanAsync(folder, tag, CancellationToken.None);
        var warm = Ensure(await service.BuildAsync(plan, null, noCache: false, CancellationToken.None));
        return (cold, warm, plan);
    }

    private static BuildResult Ensure(BuildResult result) =>
        result.Success ? result : throw new InvalidOperationException(result.Error);

    private static string Comment(string file) => file.EndsWith(".py", StringComparison.Ordinal) ? "#" : "//";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<string> DockerVersion()
    {
        var output = await Docker("version", "--format", "Docker engine {{.Server.Version}}");
        return output.Trim();
    }

    private static async Task<string> Docker(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }
}
