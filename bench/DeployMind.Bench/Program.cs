using DeployMind.Bench;

// Usage: dotnet run -c Release --project bench/DeployMind.Bench -- build [--runs N] [--out FILE]
var runs = 3;
string? output = null;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--out":
            output = args[++i];
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

if (args.Length == 0 || args[0] != "build")
{
    Console.Error.WriteLine("usage: DeployMind.Bench build [--runs N] [--out bench/results/build.md]");
    return 2;
}

return await BuildBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "build.md"));
