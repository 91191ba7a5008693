using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using DeployMind.UnitTests.Secrets;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// The acceptance test: examples/node-redis (Express, a <c>redis</c> accessory, the secret SESSION_SECRET) deployed
/// with <c>deploymind deploy</c> on this machine's engine and on the test sshd host, its own deploymind.yml with only what a
/// test must change laid over it (names, ports, the local Redis stand-in, where the secret comes from). The first deploy
/// boots Redis and takes the secret from an env file; the second keeps Redis and takes a new value from a loopback AWS
/// Secrets Manager endpoint (read by the real SDK). Through nginx the visit counter goes on across the deploys and its
/// signature proves which secret is in effect; neither value is in a container's command line, the host's process list
/// (watched during both deploys), container or nginx logs, the deployment records or anything the CLI printed.
/// </summary>
public sealed class NodeRedisDeployTests : IAsyncLifetime, IDisposable
{
    // scripts/base-images/build.sh builds it: redis:7's contract on Debian's redis-server (no Docker Hub here).
    private const string RedisImage = "deploymind-base/redis:7";

    private readonly TempFolder _prefix = new();
    private readonly TempFolder _secrets = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("node-redis"));
    private readonly int _port = Docker.FreePort();
    private readonly int _redisPort = Docker.FreePort();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _fromFile = "f-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _fromAws = "a-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private FakeAwsSsmServer _aws = null!;

    private string AppName => "dmit-noderedis-" + _id;

    private string Volume => $"dmit-noderedis-{_id}-data";

    private string RedisContainer => $"{AppName}-accessory-redis";

    private static string EnvFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind", "env");

    public async Task InitializeAsync() => _aws = await FakeAwsSsmServer.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var label in new[] { $"io.deploymind.app={AppName}", $"io.deploymind.accessory-of={AppName}" })
        {
            var ids = await Docker.RunAsync("ps", "-aq", "--filter", $"label={label}");
            foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Docker.RunAsync("rm", "--force", id);
            }
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        await Docker.RunAsync("volume", "rm", "--force", Volume);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RemoveImageAsync(image);
        }

        foreach (var file in Directory.Exists(EnvFolder) ? Directory.GetFiles(EnvFolder, AppName + "-*") : [])
        {
            File.Delete(file);
        }

        await _aws.DisposeAsync();
        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _prefix.Dispose();
        _secrets.Dispose();
    }

    [Theory]
    [InlineData("local")]
    [InlineData("ssh")]
    public async Task Deploy_ExpressWithRedisAndASecretFromAnEnvFileThenAws_CountsOnThroughNginxAndTheSecretIsNowhereElse(string host)
    {
        if (host == "ssh")
        {
            SshTestServer.EnsureRunning();
        }

        // First deploy: Redis is booted, SESSION_SECRET comes from an env file outside the repository.
        var envFile = _secrets.Write("node-redis.env", $"# secrets of {AppName}\nSESSION_SECRET={_fromFile}\n");
        var fromFile = Settings(host, new()
        {
            ["environments:production:secrets:sources:0:envFile"] = envFile,
        });
        var (first, seen) = await WatchingProcessesAsync(() => RunAsync(fromFile, "deploy", _app.Path, "--port", $"{_port}"));
        Assert.True(first.Code == ExitCodes.Success, Masked(first.Output));
        if (host == "ssh")
        {
            Assert.Contains("loopback-ssh", first.Output, StringComparison.Ordinal);
        }

        if (host == "ssh")
        {
            // Over SSH docker run takes the variables from a 0600 env file; on this machine the engine's API gets them in
            // its request's body.
            Assert.Contains("--env-file", seen, StringComparison.Ordinal);
        }

        using var client = new HttpClient();
        var counted = await VisitsAsync(client, _fromFile, 3);
        Assert.Equal([counted[0], counted[0] + 1, counted[0] + 2], counted);
        var redis = await ContainerIdAsync(RedisContainer);
        Assert.NotEqual(string.Empty, redis);
        var redisArgs = (await Docker.RunAsync("inspect", "--format", "{{json .Args}}", RedisContainer)).StandardOutput;
        Assert.Contains($"\"--port\",\"{_redisPort}\"", redisArgs, StringComparison.Ordinal);
        var firstRelease = await AppContainerAsync();
        var firstInspect = await InspectAsync(firstRelease);

        // Second deploy: Redis is kept (and its count), SESSION_SECRET has a new value, from AWS Secrets Manager.
        _aws.Parameters[$"/aws/reference/secretsmanager/node-redis/{_id}/SESSION_SECRET"] = _fromAws;
        var fromAws = Settings(host, new()
        {
            ["environments:production:secrets:sources:0:secretsManager:region"] = "us-east-1",
            ["environments:production:secrets:sources:0:secretsManager:endpoint"] = _aws.Url.ToString().TrimEnd('/'),
            ["environments:production:secrets:sources:0:secretsManager:secretId"] = $"node-redis/{_id}/{{name}}",
        });
        (int Code, string Output) second;
        using (AwsTestCredentials())
        {
            (second, var seenAgain) = await WatchingProcessesAsync(() => RunAsync(fromAws, "deploy", _app.Path, "--port", $"{_port}"));
            seen += "\n" + seenAgain;
        }

        Assert.True(second.Code == ExitCodes.Success, Masked(second.Output));
        Assert.Equal([$"AmazonSSM.GetParameter /aws/reference/secretsmanager/node-redis/{_id}/SESSION_SECRET decrypt signed"], _aws.Calls);
        Assert.Equal(redis, await ContainerIdAsync(RedisContainer));
        var secondRelease = await AppContainerAsync();
        Assert.NotEqual(firstRelease, secondRelease);
        var countedOn = await VisitsAsync(client, _fromAws, 2);
        Assert.True(countedOn[0] > counted[^1], $"the count started again after the app's deploy: {counted[^1]}, then {countedOn[0]}");
        Assert.Equal(countedOn[0] + 1, countedOn[1]);

        // The release's container: its variables (the secret too, as docker keeps them) came from the env file; nothing of
        // the secret is on its command line. Redis's address is what the accessory was booted with.
        var secondInspect = await InspectAsync(secondRelease);
        var env = (await Docker.RunAsync("inspect", "--format", "{{json .Config.Env}}", secondRelease)).StandardOutput;
        Assert.True(env.Contains($"SESSION_SECRET={_fromAws}", StringComparison.Ordinal), "the second release does not have the AWS secret in its environment");
        Assert.Contains("\"REDIS_HOST=127.0.0.1\"", env, StringComparison.Ordinal);
        Assert.Contains($"\"REDIS_PORT={_redisPort}\"", env, StringComparison.Ordinal);

        // Everything else: process lists, logs, records, what the CLI printed (deploys, status, logs, list, app logs).
        seen += (await Docker.Runner.RunAsync(CommandSpec.Create("ps", "-eww", "-o", "args="), null, CancellationToken.None)).StandardOutput;
        var list = await RunAsync(fromAws, "list", "--app", AppName, "--output", "json");
        var ids = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        var cli = new StringBuilder(first.Output).Append(second.Output).Append(list.Output);
        foreach (var id in ids)
        {
            cli.Append((await RunAsync(fromAws, "status", id, "--output", "json")).Output).Append((await RunAsync(fromAws, "logs", id)).Output);
        }

        var appLogs = await RunAsync(fromAws, "app", "logs", _app.Path);
        Assert.True(appLogs.Code == ExitCodes.Success, Masked(appLogs.Output));
        cli.Append(appLogs.Output);
        var containerLogs = await Docker.LogsAsync(firstRelease) + await Docker.LogsAsync(secondRelease) + await Docker.LogsAsync(RedisContainer);
        var redisInspect = (await Docker.RunAsync("inspect", RedisContainer)).StandardOutput;
        var places = new[]
        {
            ("the first release's command line (docker inspect)", firstInspect),
            ("the second release's command line (docker inspect)", secondInspect),
            ("the accessory's docker inspect", redisInspect),
            ("the host's process list", seen),
            ("the containers' logs", containerLogs),
            ("the deployment records or nginx's files and logs", await Files.ReadAllAsync(_prefix.Path)),
            ("the CLI's output", cli.ToString()),
        };
        foreach (var (where, text) in places)
        {
            Assert.False(text.Contains(_fromFile, StringComparison.Ordinal), $"the env file's secret is in {where}");
            Assert.False(text.Contains(_fromAws, StringComparison.Ordinal), $"the AWS secret is in {where}");
        }
    }

    // The example's deploymind.yml as written, with what each run must change laid over it (highest precedence).
    private Dictionary<string, string?> Settings(string host, Dictionary<string, string?> secretSources)
    {
        var settings = new Dictionary<string, string?>(secretSources)
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db"),
            ["app"] = AppName,
            ["accessories:redis:image"] = RedisImage,
            ["accessories:redis:port"] = $"{_redisPort}",
            ["accessories:redis:command:2"] = $"{_redisPort}", // [redis-server, --port, "6379", ...]
            ["accessories:redis:volumes:0"] = $"{Volume}:/data",
            ["environments:production:healthCheck:interval"] = "250ms",
            ["environments:production:healthCheck:timeout"] = "2s",
            ["environments:production:healthCheck:successes"] = "2",
            ["environments:production:healthCheck:deadline"] = "60s",
        };
        if (host == "ssh")
        {
            settings["environments:production:target:docker:hosts:0:name"] = "loopback-ssh";
            settings["environments:production:target:docker:hosts:0:ssh"] = $"ssh://{SshTestServer.User}@{SshTestServer.Host}:{SshTestServer.Port}";
            settings["environments:production:target:docker:hosts:0:key"] = SshTestServer.PrivateKey;
            settings["environments:production:target:docker:hosts:0:knownHosts"] = SshTestServer.KnownHosts;
        }

        return settings;
    }

    // GET / through nginx, `count` times: the visits counted, each answer signed with the expected secret (and served by nginx).
    private async Task<List<int>> VisitsAsync(HttpClient client, string secret, int count)
    {
        var visits = new List<int>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(new Uri($"http://127.0.0.1:{_port}/"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Masked(body)}");
            Assert.StartsWith("nginx", response.Headers.Server.ToString(), StringComparison.Ordinal);
            using var json = JsonDocument.Parse(body);
            var n = json.RootElement.GetProperty("visits").GetInt32();
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"visits={n}")));
            Assert.True(expected == json.RootElement.GetProperty("signature").GetString(), $"visit {n} is not signed with the expected secret");
            visits.Add(n);
        }

        return visits;
    }

    private async Task<string> AppContainerAsync() =>
        (await Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Names}}")).StandardOutput.Trim();

    private static async Task<string> ContainerIdAsync(string name) =>
        (await Docker.RunAsync("ps", "-q", "--no-trunc", "--filter", $"name=^{name}$")).StandardOutput.Trim();

    // What docker records as a container's command line.
    private static async Task<string> InspectAsync(string container) =>
        (await Docker.RunAsync("inspect", "--format", "{{json .Path}} {{json .Args}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}", container)).StandardOutput;

    private string Masked(string text) => text.Replace(_fromFile, "***", StringComparison.Ordinal).Replace(_fromAws, "***", StringComparison.Ordinal);

    // The SDK's default credential chain reads these first; restored afterwards.
    private static Restore AwsTestCredentials()
    {
        var before = (Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"), Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY"));
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        return new Restore(() =>
        {
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", before.Item1);
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", before.Item2);
        });
    }

    private static async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }

    // Runs a command while every command line on this machine (sshd's sessions included) is sampled; each distinct line once.
    private static async Task<((int Code, string Output) Run, string Seen)> WatchingProcessesAsync(Func<Task<(int Code, string Output)>> run)
    {
        using var stop = new CancellationTokenSource();
        var watching = WatchProcessesAsync(stop.Token);
        (int Code, string Output) result;
        try
        {
            result = await run();
        }
        finally
        {
            await stop.CancelAsync();
        }

        return (result, await watching);
    }

    private static async Task<string> WatchProcessesAsync(CancellationToken stop)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!stop.IsCancellationRequested)
        {
            var ps = await Docker.Runner.RunAsync(CommandSpec.Create("ps", "-eww", "-o", "args="), null, CancellationToken.None);
            seen.UnionWith(ps.StandardOutput.Split('\n'));
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return string.Join('\n', seen);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
