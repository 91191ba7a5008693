using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// Images delivered to a host that does not share this machine's Docker engine: host2 (scripts/services/host2.sh), its own
/// engine with an empty image store, network namespace and home, reached over SSH at 127.0.0.1:2223. examples/python-stdlib
/// is built here and deployed there with <c>deploymind deploy</c>: streamed (docker save | gzip | docker load over the SSH
/// runner), or pushed to the test registry (127.0.0.1:5001, password from a file) and pulled there; and rolled over this
/// machine and host2 at once under load with no request lost.
/// </summary>
[Collection(Host2Tests.Name)]
public sealed class FleetDeliveryTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _state = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string AppName => "dmit-fleet-" + _id;

    public Task InitializeAsync()
    {
        Host2.EnsureRunning();
        // A fresh image (its own content) so no earlier run left it on host2.
        File.AppendAllText(Path.Combine(_app.Path, "app.py"), $"\n# {_id}\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await RunAsync(Settings(local: true, host2: true), "app", "remove", _app.Path, "--yes");
        foreach (var docker in new Func<string[], Task<CommandResult>>[] { args => Docker.RunAsync(args), args => Host2.DockerAsync(args) })
        {
            var images = await docker(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
            var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
            foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(i => i.Contains(repository, StringComparison.Ordinal)))
            {
                await docker(["image", "rm", "--force", image]);
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _state.Dispose();
    }

    [Fact]
    public async Task Deploy_ToAHostWithoutTheImage_StreamsItThereCompressedAndItServes()
    {
        var settings = Settings(local: false, host2: true);

        var first = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");

        Assert.True(first.Code == ExitCodes.Success, first.Output);
        Assert.Contains("sending ", first.Output, StringComparison.Ordinal);
        Assert.Matches(@"sent \S+: [0-9.]+ MB as [0-9.]+ MB compressed", first.Output);
        var image = await ReleaseImageOnHost2Async();
        Assert.Equal(await ImageIdAsync(Docker.RunAsync, image), await ImageIdAsync(args => Host2.DockerAsync(args), image));
        await using (var forward = await Host2.ForwardAsync(_port))
        {
            using var client = new HttpClient();
            Assert.Contains("python-stdlib-example", await client.GetStringAsync(forward.BaseAddress), StringComparison.Ordinal);
        }

        // The same image again: host2 has it, nothing is sent.
        var again = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");
        Assert.True(again.Code == ExitCodes.Success, again.Output);
        Assert.DoesNotContain("sending ", again.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_WithARegistry_PushesOnceAndTheHostPullsWithAThrowawayLogin_ThePasswordNowhere()
    {
        var password = RegistryTestServer.Password;
        var settings = Settings(local: false, host2: true);
        settings["build:registry:server"] = RegistryTestServer.Authenticated + "/fleet";
        settings["build:registry:username"] = RegistryTestServer.User;
        settings["build:registry:passwordFile"] = RegistryTestServer.PasswordFile;

        var run = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");

        Assert.True(run.Code == ExitCodes.Success, run.Output.Replace(password, "***", StringComparison.Ordinal));
        Assert.Contains($"pushing {RegistryTestServer.Authenticated}/fleet/", run.Output, StringComparison.Ordinal);
        Assert.Contains("pulling ", run.Output, StringComparison.Ordinal);
        var image = await ReleaseImageOnHost2Async();
        Assert.StartsWith($"{RegistryTestServer.Authenticated}/fleet/", image, StringComparison.Ordinal);
        await using (var forward = await Host2.ForwardAsync(_port))
        {
            using var client = new HttpClient();
            Assert.Contains("python-stdlib-example", await client.GetStringAsync(forward.BaseAddress), StringComparison.Ordinal);
        }

        // No credential stays on either side, and the password is in no output or record.
        foreach (var config in new[] { Path.Combine(Host2.Home, ".docker", "config.json"), Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json") })
        {
            Assert.False(File.Exists(config) && (await File.ReadAllTextAsync(config)).Contains(RegistryTestServer.Authenticated, StringComparison.Ordinal), $"{config} keeps a login");
        }

        var records = await RunAsync(settings, "list", "--app", AppName, "--output", "json");
        Assert.DoesNotContain(password, run.Output + records.Output + await Files.ReadAllAsync(_state.Path), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rolling_OverThisMachineAndHost2UnderLoad_LosesNoRequest()
    {
        var settings = Settings(local: true, host2: true);
        settings["environments:production:env:clear:APP_VERSION"] = "v1";
        var first = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");
        Assert.True(first.Code == ExitCodes.Success, first.Output);

        await using var forward = await Host2.ForwardAsync(_port);
        var here = new LoadLoop(_port);
        var there = new LoadLoop(forward.LocalPort);
        settings["environments:production:env:clear:APP_VERSION"] = "v2";
        var second = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");
        await Task.Delay(500);
        await here.StopAsync();
        await there.StopAsync();

        Assert.True(second.Code == ExitCodes.Success, second.Output);
        Assert.True(here.Requests > 20 && there.Requests > 20, $"too little load: {here.Requests} here, {there.Requests} on host2");
        Assert.True(here.Failures == 0, $"{here.Failures} of {here.Requests} failed here: {string.Join("; ", here.FailureSamples)}");
        Assert.True(there.Failures == 0, $"{there.Failures} of {there.Requests} failed on host2: {string.Join("; ", there.FailureSamples)}");
        Assert.True(here.Count("\"version\": \"v2\"") > 0 && there.Count("\"version\": \"v2\"") > 0, "v2 did not serve on both hosts");
    }

    [Fact]
    public async Task Deploy_WhenAHostCannotGetTheImage_FailsBeforeAnythingChangesAndTheOldReleaseServes()
    {
        var settings = Settings(local: true, host2: true);
        settings["environments:production:env:clear:APP_VERSION"] = "v1";
        var first = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");
        Assert.True(first.Code == ExitCodes.Success, first.Output);

        // A registry host2 cannot reach (nothing listens on its port in host2's namespace): the push from here works.
        File.AppendAllText(Path.Combine(_app.Path, "app.py"), "\n# v2\n");
        await using var registry = await LocalOnlyRegistryAsync();
        settings["build:registry:server"] = $"127.0.0.1:{registry.Port}";
        settings["environments:production:env:clear:APP_VERSION"] = "v2";
        var second = await RunAsync(settings, "deploy", _app.Path, "--port", $"{_port}");

        Assert.NotEqual(ExitCodes.Success, second.Code);
        Assert.Contains("could not be put on 1 of 2 host(s); nothing was changed on any host", second.Output, StringComparison.Ordinal);
        Assert.Contains("host2:", second.Output, StringComparison.Ordinal);
        using var client = new HttpClient();
        Assert.Contains("\"version\": \"v1\"", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        await using var forward = await Host2.ForwardAsync(_port);
        Assert.Contains("\"version\": \"v1\"", await client.GetStringAsync(forward.BaseAddress), StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(bool local, bool host2)
    {
        var settings = new Dictionary<string, string?>
        {
            ["database:path"] = Path.Combine(_state.Path, "records", "deploymind.db"),
            ["app"] = AppName,
            ["environments:production:healthCheck:interval"] = "250ms",
            ["environments:production:healthCheck:timeout"] = "2s",
            ["environments:production:healthCheck:successes"] = "2",
            ["environments:production:healthCheck:deadline"] = "60s",
            ["environments:production:target:docker:drain"] = "1s",
        };
        var index = 0;
        if (local)
        {
            settings[$"environments:production:target:docker:hosts:{index++}:name"] = "local";
        }

        if (host2)
        {
            settings[$"environments:production:target:docker:hosts:{index}:name"] = "host2";
            settings[$"environments:production:target:docker:hosts:{index}:ssh"] = $"ssh://{Host2.User}@{Host2.Host}:{Host2.Port}";
            settings[$"environments:production:target:docker:hosts:{index}:key"] = Host2.PrivateKey;
            settings[$"environments:production:target:docker:hosts:{index}:knownHosts"] = Host2.KnownHosts;
        }

        return settings;
    }

    private async Task<string> ReleaseImageOnHost2Async()
    {
        var result = await Host2.DockerAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.Image}}");
        return Assert.Single(result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct());
    }

    private static async Task<string> ImageIdAsync(Func<string[], Task<CommandResult>> docker, string image) =>
        (await docker(["image", "inspect", "--format", "{{.Id}}", image])).StandardOutput.Trim();

    // A registry on a port of this machine's loopback that host2's namespace has no forward for.
    private static async Task<LocalRegistry> LocalOnlyRegistryAsync()
    {
        var port = Docker.FreePort();
        var folder = new TempFolder();
        var config = folder.Write("config.yml", $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {folder.Path}/data\nhttp:\n  addr: 127.0.0.1:{port}\n");
        var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/docker-registry", ["serve", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new HttpClient();
                using var answer = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/v2/"));
                break;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        return new LocalRegistry(port, process, folder);
    }

    private static async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }

    private sealed record LocalRegistry(int Port, System.Diagnostics.Process Process, TempFolder Folder) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
            Process.Dispose();
            Folder.Dispose();
        }
    }
}

/// <summary>Tests that deploy to host2 share its engine and its nginx: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class Host2Tests
{
    public const string Name = "host2";
}
