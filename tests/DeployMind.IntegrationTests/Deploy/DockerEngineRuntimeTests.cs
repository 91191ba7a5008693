using System.Text.Json;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Docker;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// The local host's runtime through the engine's API (<see cref="DockerEngineRuntime"/>) against the CLI's on the real
/// engine: a container run either way is configured the same, lists the same, and starts, stops and inspects alike.
/// </summary>
public sealed class DockerEngineRuntimeTests : IAsyncLifetime, IDisposable
{
    private const string Image = "deploymind-base/debian:bookworm";
    private readonly string _app = "dmit-engine-" + Guid.NewGuid().ToString("N")[..8];
    private readonly DockerEngine _engine = new(DockerEngine.LocalSocket(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
        ?? throw new InvalidOperationException("the test machine's docker CLI reaches an engine other than the local socket"));

    private readonly DockerContainerRuntime _cli = new(Docker.Runner);
    private readonly TempFolder _uploads = new();

    private DockerEngineRuntime Engine => new(_cli, _engine, "local");

    private string Volume => _app + "-data";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var name in new[] { "cli", "engine", "gone" })
        {
            await _cli.RemoveAsync($"{_app}-{name}", CancellationToken.None);
        }

        await Docker.RunAsync("volume", "rm", "--force", Volume);
    }

    public void Dispose()
    {
        _engine.Dispose();
        _uploads.Dispose();
    }

    [Fact]
    public async Task Run_SameSpecThroughTheEngineAndTheCli_TheContainersAreConfiguredAlike()
    {
        var secret = "s3cr=t with spaces 'and' \"quotes\" $HOME";
        ContainerSpec Spec(string name) => new ContainerSpec($"{_app}-{name}", Image, Docker.FreePort())
        {
            Environment = new Dictionary<string, string> { ["API_KEY"] = secret, ["MODE"] = "test" },
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = _app, [ContainerLabels.Release] = "r1", [ContainerLabels.Image] = Image },
            Init = true,
            StopTimeout = TimeSpan.FromSeconds(4),
            Restart = "on-failure:2",
            Cpus = 0.5m,
            MemoryBytes = 64L * 1024 * 1024,
            Volumes = [$"{Volume}:/data", $"{_uploads.Path}:/uploads:ro"],
        }.WithCommand("sleep", "infinity");

        await _cli.RunAsync(Spec("cli"), CancellationToken.None);
        var id = await Engine.RunAsync(Spec("engine"), CancellationToken.None);

        Assert.Matches("^[0-9a-f]{64}$", id);
        var cli = await InspectAsync($"{_app}-cli");
        var engine = await InspectAsync($"{_app}-engine");
        string Config(JsonElement c) => string.Join(
            "\n",
            c.GetProperty("Config").GetProperty("Cmd").ToString(),
            c.GetProperty("Config").GetProperty("StopTimeout").ToString(),
            c.GetProperty("Config").GetProperty("Image").ToString(),
            c.GetProperty("HostConfig").GetProperty("NetworkMode").ToString(),
            c.GetProperty("HostConfig").GetProperty("RestartPolicy").ToString(),
            c.GetProperty("HostConfig").GetProperty("Init").ToString(),
            c.GetProperty("HostConfig").GetProperty("NanoCpus").ToString(),
            c.GetProperty("HostConfig").GetProperty("Memory").ToString(),
            c.GetProperty("HostConfig").GetProperty("MemorySwap").ToString(),
            c.GetProperty("HostConfig").GetProperty("Binds").ToString(),
            string.Join(",", c.GetProperty("Mounts").EnumerateArray().Select(m => $"{m.GetProperty("Type")}:{m.GetProperty("Destination")}:{m.GetProperty("RW")}").Order(StringComparer.Ordinal)),
            c.GetProperty("State").GetProperty("Running").ToString());
        Assert.Equal(Config(cli), Config(engine));
        Assert.Equal(Labels(cli), Labels(engine));

        // The variables: the app's own, then PORT and HOST (the image's own PATH first), whichever way it was run.
        string[] Env(JsonElement c, int port) => [.. c.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()!.Replace($"PORT={port}", "PORT=*", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.Equal(Env(cli, PortOf(cli)), Env(engine, PortOf(engine)));
        Assert.Contains($"API_KEY={secret}", Env(engine, 0));
        Assert.Contains("HOST=127.0.0.1", Env(engine, 0));
    }

    [Fact]
    public async Task ListByLabel_ThroughTheEngine_ListsWhatTheCliLists()
    {
        var labels = new Dictionary<string, string>
        {
            [ContainerLabels.App] = _app,
            [ContainerLabels.Release] = "r1",
            [ContainerLabels.Port] = "20001",
            [ContainerLabels.Image] = Image,
            ["com.example.other"] = "not DeployMind's",
        };
        await Engine.RunAsync(new ContainerSpec($"{_app}-engine", Image, 0) { Labels = labels }.WithCommand("sleep", "infinity"), CancellationToken.None);
        await _cli.RunAsync(new ContainerSpec($"{_app}-cli", Image, 0) { Labels = new Dictionary<string, string>(labels) }.WithCommand("sh", "-c", "exit 3"), CancellationToken.None);
        await WaitAsync(async () => (await _cli.InspectAsync($"{_app}-cli", CancellationToken.None))?.Running == false);

        var byCli = await _cli.ListAsync(_app, CancellationToken.None);
        var byEngine = await Engine.ListAsync(_app, CancellationToken.None);

        static string Show(IEnumerable<ContainerState> states) => string.Join(
            "\n",
            states.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => $"{s.Name} {s.Image} {s.Running} {s.ExitCode} {s.RestartCount} {string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))}"));
        Assert.Equal(Show(byCli), Show(byEngine));
        Assert.Equal(2, byEngine.Count);
        Assert.Equal(3, byEngine.Single(s => s.Name == $"{_app}-cli").ExitCode);
        Assert.DoesNotContain(byEngine, s => s.Labels.ContainsKey("com.example.other"));
        Assert.Empty(await Engine.ListAsync(_app + "-none", CancellationToken.None));
    }

    [Fact]
    public async Task StopStartInspect_ThroughTheEngine_BehaveAsTheCli()
    {
        var name = $"{_app}-engine";
        var spec = new ContainerSpec(name, Image, 0) { Labels = new Dictionary<string, string> { [ContainerLabels.App] = _app }, Init = true }.WithCommand("sleep", "infinity");
        await Engine.RunAsync(spec, CancellationToken.None);
        Assert.True((await Engine.InspectAsync(name, CancellationToken.None))!.Running);

        await Engine.StopAsync(name, TimeSpan.FromSeconds(10), CancellationToken.None);
        var stopped = await Engine.InspectAsync(name, CancellationToken.None);
        Assert.Equal((false, 143), (stopped!.Running, stopped.ExitCode ?? -1));

        // Stopping again, or stopping what is not there, is what was asked: no error (as docker stop's is not read).
        await Engine.StopAsync(name, TimeSpan.FromSeconds(10), CancellationToken.None);
        await Engine.StopAsync($"{_app}-gone", TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Null(await Engine.InspectAsync($"{_app}-gone", CancellationToken.None));

        await Engine.StartAsync(name, CancellationToken.None);
        await Engine.StartAsync(name, CancellationToken.None);
        Assert.True((await _cli.InspectAsync(name, CancellationToken.None))!.Running);

        var missing = await Assert.ThrowsAsync<DeployMindException>(() => Engine.StartAsync($"{_app}-gone", CancellationToken.None));
        Assert.Contains($"Could not start container {_app}-gone again on local: No such container", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NameTaken_FailsWithTheEnginesReasonAndLeavesTheOtherAlone()
    {
        var name = $"{_app}-engine";
        await Engine.RunAsync(new ContainerSpec(name, Image, 0).WithCommand("sleep", "infinity"), CancellationToken.None);

        var taken = await Assert.ThrowsAsync<DeployMindException>(() => Engine.RunAsync(new ContainerSpec(name, Image, 0) { Environment = new Dictionary<string, string> { ["TOKEN"] = "do-not-show" } }.WithCommand("true"), CancellationToken.None));

        Assert.Contains($"Could not start container {name} from {Image} on local:", taken.Message, StringComparison.Ordinal);
        Assert.Contains("is already in use", taken.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-show", taken.Message, StringComparison.Ordinal);
        Assert.True((await _cli.InspectAsync(name, CancellationToken.None))!.Running);
    }

    [Fact]
    public async Task Run_CommandThatCannotStart_FailsWithTheEnginesReason()
    {
        var name = $"{_app}-engine";

        var failed = await Assert.ThrowsAsync<DeployMindException>(() => Engine.RunAsync(new ContainerSpec(name, Image, 0).WithCommand("/no/such/binary"), CancellationToken.None));

        Assert.Contains($"Could not start container {name} from {Image} on local:", failed.Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/binary", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ImageNotOnTheHost_GoesThroughTheCliWhichSaysSo()
    {
        // docker run pulls an image it does not have; the engine's create does not: the CLI runs it (and fails here,
        // where no registry has it, with its own words).
        var failed = await Assert.ThrowsAsync<DeployMindException>(() => Engine.RunAsync(new ContainerSpec($"{_app}-engine", "127.0.0.1:9/deploymind-missing:none", 0), CancellationToken.None));

        Assert.Contains($"Could not start container {_app}-engine from 127.0.0.1:9/deploymind-missing:none on local:", failed.Message, StringComparison.Ordinal);
        Assert.Null(await _cli.InspectAsync($"{_app}-engine", CancellationToken.None));
    }

    private static int PortOf(JsonElement container) =>
        int.Parse(container.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).Single(e => e.StartsWith("PORT=", StringComparison.Ordinal))["PORT=".Length..], System.Globalization.CultureInfo.InvariantCulture);

    private static string Labels(JsonElement container) =>
        string.Join(",", container.GetProperty("Config").GetProperty("Labels").EnumerateObject().Select(l => $"{l.Name}={l.Value}").Order(StringComparer.Ordinal));

    private static async Task<JsonElement> InspectAsync(string name)
    {
        var result = await Docker.RunAsync("container", "inspect", name);
        Assert.True(result.ExitCode == 0, result.StandardError);
        using var document = JsonDocument.Parse(result.StandardOutput);
        return document.RootElement[0].Clone();
    }

    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        for (var i = 0; i < 100 && !await done(); i++)
        {
            await Task.Delay(50);
        }
    }
}
