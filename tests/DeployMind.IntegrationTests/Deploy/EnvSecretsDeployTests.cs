using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using DeployMind.UnitTests.Secrets;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// `deploymind deploy` of an app with env.clear and env.secret on this machine's engine and nginx: one secret from an env
/// file outside the repository, one from a loopback AWS Secrets Manager endpoint (read by the real SDK). The app proves
/// the values arrived (their SHA-256 through nginx) while the values themselves appear in no command line, process list,
/// record, log or CLI output; on this machine they go to the engine in its API's request body (no env file), and where an
/// env file is written it is 0600 on the host and goes with its release.
/// </summary>
public sealed class EnvSecretsDeployTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _secrets = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-env"));
    private readonly int _port = Docker.FreePort();
    private readonly string _apiKey = "k-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private readonly string _dbPassword = "p-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
    private FakeAwsSsmServer _aws = null!;

    private string AppName { get; } = "dmit-envsec-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync() => _aws = await FakeAwsSsmServer.StartAsync();

    public async Task DisposeAsync()
    {
        var ids = await Docker.Runner.RunAsync(CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in ids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
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

    private static string EnvFolder => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".deploymind", "env");

    [Fact]
    public async Task Deploy_SecretsFromEnvFileAndAws_ReachTheAppAndAppearNowhereElse()
    {
        var envFile = _secrets.Write("shop.env", $"# secrets of {AppName}\nAPI_KEY={_apiKey}\n");
        _aws.Parameters["/aws/reference/secretsmanager/shop/DB_PASSWORD"] = _dbPassword;
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            env:
              clear: { MODE: test, CHECK_ENV: "API_KEY,DB_PASSWORD,MODE" }
              secret: [ API_KEY ]
            secrets:
              sources:
                - envFile: {{envFile}}
                - secretsManager: { region: us-east-1, endpoint: "{{_aws.Url.ToString().TrimEnd('/')}}", secretId: "shop/{name}" }
            environments:
              production:
                keepReleases: 1
                env:
                  secret: [ DB_PASSWORD ]
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 60s }
            """);

        // Watch the host's process list for the whole deploy: no command line may carry a value.
        using var stopWatching = new CancellationTokenSource();
        var processLists = WatchProcessesAsync(stopWatching.Token);
        (int Code, string Output) first;
        using (AwsTestCredentials())
        {
            first = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");
        }

        await stopWatching.CancelAsync();
        var seen = await processLists;

        Assert.True(first.Code == ExitCodes.Success, first.Output);

        // This machine's engine is asked on its socket, the variables in the request's body; were the CLI to reach another
        // engine, docker run would take them from an env file.
        var throughEngine = DockerEngine.LocalSocket(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)) is not null;
        if (!throughEngine)
        {
            Assert.Contains("--env-file", seen, StringComparison.Ordinal);
        }

        using var answer = JsonDocument.Parse(await new HttpClient().GetStringAsync(new Uri($"http://127.0.0.1:{_port}/env")));
        Assert.Equal(Sha256(_apiKey), answer.RootElement.GetProperty("API_KEY").GetProperty("sha256").GetString());
        Assert.Equal(Sha256(_dbPassword), answer.RootElement.GetProperty("DB_PASSWORD").GetProperty("sha256").GetString());
        Assert.Equal(Sha256("test"), answer.RootElement.GetProperty("MODE").GetProperty("sha256").GetString());
        Assert.Equal(["AmazonSSM.GetParameter /aws/reference/secretsmanager/shop/DB_PASSWORD decrypt signed"], _aws.Calls);

        // The container: the values are in its environment only (docker keeps them there), never on its command line.
        var container = (await Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Names}}")).StandardOutput.Trim();
        var inspect = (await Docker.RunAsync("inspect", "--format", "{{json .Path}} {{json .Args}} {{json .Config.Cmd}} {{json .Config.Entrypoint}}", container)).StandardOutput;
        var env = (await Docker.RunAsync("inspect", "--format", "{{json .Config.Env}}", container)).StandardOutput;
        Assert.Contains($"API_KEY={_apiKey}", env, StringComparison.Ordinal);

        // Through the engine there is no env file; through the CLI it is private, and named after the release's container.
        var file = Path.Combine(EnvFolder, container + ".env");
        Assert.True(File.Exists(file) != throughEngine, file);
        if (!throughEngine)
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(file));
        }

        // Records and logs: the CLI's status and log answers, and the records database itself.
        var id = JsonDocument.Parse(first.Output).RootElement.GetProperty("id").GetString()!;
        var (_, status) = await RunAsync("status", id, "--output", "json");
        var (_, logs) = await RunAsync("logs", id);
        var database = Encoding.UTF8.GetString(await ReadSharedAsync(Path.Combine(_prefix.Path, "records", "deploymind.db")));
        foreach (var (where, text) in new[] { ("docker inspect", inspect), ("process list", seen), ("CLI output", first.Output), ("status", status), ("logs", logs), ("records", database) })
        {
            Assert.False(text.Contains(_apiKey, StringComparison.Ordinal), $"the env file's secret is in the {where}");
            Assert.False(text.Contains(_dbPassword, StringComparison.Ordinal), $"the AWS secret is in the {where}");
        }

        // A second release (keepReleases: 1) removes the first container, and its env file with it.
        File.AppendAllText(Path.Combine(_app.Path, "main.go"), "\n// second release\n");
        (int Code, string Output) second;
        using (AwsTestCredentials())
        {
            second = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");
        }

        Assert.True(second.Code == ExitCodes.Success, second.Output);
        var gone = (await Docker.RunAsync("ps", "-a", "--filter", $"name=^{container}$", "--format", "{{.Names}}")).StandardOutput.Trim();
        Assert.Equal(string.Empty, gone);
        Assert.False(File.Exists(file), $"{file} outlived its release");
    }

    [Fact]
    public async Task Deploy_MissingSecret_FailsNamingItAndWhereItWasLookedForAndChangesNothing()
    {
        var missingFile = Path.Combine(_secrets.Path, "absent.env");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            env: { secret: [ DM_IT_NOT_SET_ANYWHERE ] }
            secrets: { sources: [ { env: true }, { envFile: {{missingFile}} } ] }
            """);

        var (code, output) = await RunAsync("deploy", _app.Path, "--port", $"{_port}");

        Assert.NotEqual(ExitCodes.Success, code);
        Assert.Contains("DM_IT_NOT_SET_ANYWHERE: looked in the deploying process's environment ($DM_IT_NOT_SET_ANYWHERE), env file " + missingFile + " (no such file)", output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var containers = (await Docker.RunAsync("ps", "-a", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Names}}")).StandardOutput.Trim();
        Assert.Equal(string.Empty, containers);
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    // Every command line on this machine, sampled until cancelled.
    private static async Task<string> WatchProcessesAsync(CancellationToken stop)
    {
        var seen = new StringBuilder();
        while (!stop.IsCancellationRequested)
        {
            var ps = await Docker.Runner.RunAsync(CommandSpec.Create("ps", "-eww", "-o", "args="), null, CancellationToken.None);
            seen.Append(ps.StandardOutput);
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return seen.ToString();
    }

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

    private static async Task<byte[]> ReadSharedAsync(string file)
    {
        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?> { ["nginx:prefix"] = _prefix.Path, ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db") };
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
