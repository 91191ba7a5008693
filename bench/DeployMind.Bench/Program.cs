using DeployMind.Bench;

// Usage: dotnet run -c Release --project bench/DeployMind.Bench -- build|deploy|scan|queue|delivery|canary|traffic|dashboard|webhooks [--runs N] [--seconds N] [--out FILE] [--only a,b]
var runs = 3;
var seconds = 60;
string? output = null;
string[]? only = null;
var rate = 1000;
var label = "Constant arrival rate";
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--seconds":
            seconds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--out":
            output = args[++i];
            break;
        case "--rate":
            rate = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--label":
            label = args[++i];
            break;
        case "--only":
            only = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}");
            return 2;
    }
}

return args.Length == 0 ? Usage() : args[0] switch
{
    "build" => await BuildBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "build.md"), only),
    "deploy" => await DeployBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "deploy.md"), rollingOnly: only?.Contains("rolling") == true),
    "scan" => await ScanBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "scan.md")),
    "queue" => await QueueBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "queue.md")),
    "delivery" => await DeliveryBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "delivery.md")),
    "canary" => await CanaryBenchmark.RunAsync(runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "canary.md")),
    "traffic" => await TrafficBenchmark.RunAsync(seconds, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "deploy.md")),
    "dashboard" => await DashboardBenchmark.RunAsync(runs == 3 ? 1 : runs, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "dashboard.md")),
    "webhooks" => await WebhookLoadBenchmark.RunAsync(runs, seconds == 60 ? 30 : seconds, rate, output ?? Path.Combine(BuildBenchmark.RepoRoot, "bench", "results", "webhooks.md"), label),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: DeployMind.Bench build|deploy|scan|queue|delivery|canary|traffic|dashboard|webhooks [--runs N] [--seconds N (traffic: step length; webhooks: run length)] [--rate N (webhooks: deliveries/s)] [--label TEXT (webhooks: the section title)] [--out bench/results/<name>.md] [--only node-express,python-stdlib (build); --only rolling (deploy: without the canary part)]");
    return 2;
}
