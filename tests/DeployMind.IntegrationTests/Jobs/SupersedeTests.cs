using System.Globalization;
using System.Text.Json;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Jobs;

/// <summary>
/// Worker SIGKILL with three newer deploys queued: four releases of one app (q1…q4) are queued, the worker is killed
/// during q1's deploy and another (one slot) starts. The dead worker's lock expires (queue.lockTtl 5s) before its job
/// becomes visible again (queue.visibilityTimeout 15s), so a newer job runs first; the worker takes q1 over once that
/// one has succeeded, and q1 is superseded instead of being deployed over it. At the end q4 serves, and no release was
/// deployed after a newer one had succeeded. On the embedded queue and on Redis.
/// </summary>
public sealed class SupersedeTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Visibility = TimeSpan.FromSeconds(15);

    private readonly TempFolder _home = new();
    private readonly TempFolder _prefix = new();
    private readonly List<TempFolder> _releases = [];
    private readonly int _port = Docker.FreePort();
    private readonly string _appName = "dmit-supersede-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ITestOutputHelper _output;
    private DeploymindProcesses? _cli;

    public SupersedeTests(ITestOutputHelper output) => _output = output;

    public Task InitializeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _cli?.Dispose();
        foreach (var release in _releases)
        {
            release.Dispose();
        }

        _prefix.Dispose();
        _home.Dispose();
    }

    public async Task DisposeAsync()
    {
        _cli?.Dispose();
        var ids = await Docker.Runner.RunAsync(CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={_appName}"), null, CancellationToken.None);
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        foreach (var name in _releases.Select(r => Path.GetFileName(r.Path)).Append(_appName))
        {
            var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", Application.Build.ImageNames.Repository(name));
            foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Docker.RemoveImageAsync(image);
            }
        }

        foreach (var release in _releases)
        {
            release.Dispose();
        }

        _prefix.Dispose();
        _home.Dispose();
    }

    [Theory]
    [InlineData("embedded")]
    [InlineData("redis")]
    public async Task WorkerSigkill_WithThreeNewerDeploysQueued_TheNewestServes_TheOldIsSuperseded(string provider)
    {
        var environment = new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Repo.LocalBaseImagesConfig,
            ["DEPLOYMIND__NGINX__PREFIX"] = _prefix.Path,
            ["DEPLOYMIND__QUEUE__PROVIDER"] = provider,
            ["DEPLOYMIND__QUEUE__VISIBILITYTIMEOUT"] = $"{Visibility.TotalSeconds}s",
            ["DEPLOYMIND__QUEUE__LOCKTTL"] = "5s",
        };
        await using var redis = new RedisTestServer();
        if (provider == "redis")
        {
            environment["DEPLOYMIND__QUEUE__REDIS"] = RedisTestServer.Server;
            environment["DEPLOYMIND__QUEUE__KEYPREFIX"] = redis.Prefix;
        }

        _cli = new DeploymindProcesses(environment);

        // Four releases of one app, each its own folder (a worker reads the folder when it runs the job): q1 deploys
        // slowly (eight health checks a second apart), so the worker can be killed in the middle of it.
        var ids = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            var release = Repo.CopyOf(Repo.Example("go-stdlib"));
            _releases.Add(release);
            var main = Path.Combine(release.Path, "main.go");
            File.WriteAllText(main, File.ReadAllText(main).Replace("version = \"dev\"", $"version = \"q{i}\"", StringComparison.Ordinal));
            File.WriteAllText(
                Path.Combine(release.Path, "deploymind.yml"),
                $"app: {_appName}\nenvironments:\n  production:\n    healthCheck: {{ path: /health, interval: 1s, successes: {(i == 1 ? 8 : 2)}, deadline: 60s }}\n");
            var queued = await _cli.RunAsync("deploy", release.Path, "--queue", "--port", _port.ToString(CultureInfo.InvariantCulture), "--output", "json");
            Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
            using var doc = JsonDocument.Parse(queued.StandardOutput);
            ids.Add(doc.RootElement.GetProperty("shortId").GetString()!);
        }

        var first = _cli.StartWorker("production", "first");
        await _cli!.WaitForStateAsync(ids[0], s => s is "deploying", TimeSpan.FromSeconds(120));
        first.Kill(entireProcessTree: true);
        var killedAt = DateTimeOffset.UtcNow;
        _cli.StartWorker("production", "second");

        var finished = new List<JsonElement>();
        foreach (var id in ids)
        {
            finished.Add(await _cli!.WaitForStateAsync(id, s => s is "succeeded" or "failed" or "rolled_back" or "cancelled" or "superseded", TimeSpan.FromSeconds(300)));
        }

        foreach (var d in finished)
        {
            _output.WriteLine($"{d.GetProperty("shortId").GetString()} {d.GetProperty("state").GetString()} at kill{(d.GetProperty("updatedAt").GetDateTimeOffset() - killedAt).TotalSeconds:+0.0;-0.0}s: {d.GetProperty("reason")}");
            foreach (var e in d.GetProperty("events").EnumerateArray())
            {
                _output.WriteLine($"  kill{(e.GetProperty("at").GetDateTimeOffset() - killedAt).TotalSeconds:+0.0;-0.0}s {e.GetProperty("to").GetString()}: {e.GetProperty("detail").GetString()}");
            }
        }

        // q1 was taken over (not before the visibility timeout, counted from its last touch, a heartbeat before the kill),
        // found a newer release serving, and stopped there: nothing deployed.
        var q1 = finished[0];
        Assert.Equal("superseded", q1.GetProperty("state").GetString());
        var takeover = Assert.Single(q1.GetProperty("events").EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith("taken over by second", StringComparison.Ordinal));
        Assert.True(takeover.GetProperty("at").GetDateTimeOffset() - killedAt >= Visibility - TimeSpan.FromSeconds(3), "taken over before its visibility timeout");
        Assert.DoesNotContain(q1.GetProperty("events").EnumerateArray(), e => e.GetProperty("at").GetDateTimeOffset() > takeover.GetProperty("at").GetDateTimeOffset() && e.GetProperty("to").GetString() is "scanning" or "building" or "deploying");
        var reason = q1.GetProperty("reason").GetString()!;
        Assert.Matches("^superseded by deployment [0-9a-f]{8} of " + _appName + ", queued after this one, which succeeded at ", reason);
        Assert.Contains(ids.Skip(1), id => reason.Contains(id, StringComparison.Ordinal));

        // The others ran in the order they were queued, or were superseded themselves: no release went out after a newer
        // one had succeeded.
        var succeeded = finished.Select((d, i) => (Index: i, State: d.GetProperty("state").GetString(), At: d.GetProperty("updatedAt").GetDateTimeOffset()))
            .Where(d => d.State == "succeeded").ToList();
        Assert.All(finished, d => Assert.Contains(d.GetProperty("state").GetString(), new[] { "succeeded", "superseded" }));
        Assert.Equal(succeeded.OrderBy(d => d.Index).Select(d => d.Index), succeeded.OrderBy(d => d.At).Select(d => d.Index));
        Assert.Equal("succeeded", finished[3].GetProperty("state").GetString());

        using var client = new HttpClient();
        for (var i = 0; i < 5; i++)
        {
            using var answer = JsonDocument.Parse(await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")));
            Assert.Equal("q4", answer.RootElement.GetProperty("version").GetString());
        }

        var queue = await _cli.RunAsync("queue", "--output", "json");
        using var stats = JsonDocument.Parse(queue.StandardOutput);
        var production = stats.RootElement.GetProperty("queues")[0];
        Assert.Equal((0L, 0L, 0L), (production.GetProperty("waiting").GetInt64(), production.GetProperty("inFlight").GetInt64(), production.GetProperty("deadLetters").GetInt64()));
    }
}
