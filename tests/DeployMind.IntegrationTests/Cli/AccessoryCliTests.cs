using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>`deploymind accessory boot|reboot|logs|remove` and a deploy that boots its accessories and tells the app where they are (real engine, nginx).</summary>
public sealed class AccessoryCliTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly int _accessoryPort = Docker.FreePort();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    private string AppName => "dmit-acc-" + _id;

    private string Image => $"dmit-acc-image-{_id}:1";

    private string Volume => $"dmit-acc-{_id}-data";

    private string Container => $"{AppName}-accessory-cache";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var label in new[] { $"io.deploymind.app={AppName}", $"io.deploymind.accessory-of={AppName}" })
        {
            var names = await Docker.RunAsync("ps", "-aq", "--filter", $"label={label}");
            foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                await Docker.RunAsync("rm", "--force", id);
            }
        }

        await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        await Docker.RunAsync("volume", "rm", "--force", Volume);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Append(Image))
        {
            await Docker.RemoveImageAsync(image);
        }

        Dispose();
    }

    public void Dispose()
    {
        _app.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    public async Task Accessory_BootRebootKeepsItsVolume_ADeployBootsNothingNewAndTellsTheAppWhereItIs_RemoveKeepsTheVolume()
    {
        // The accessory: any long-lived server; here the Python example listening on its own port.
        var (built, buildOutput) = await RunAsync("build", _app.Path, "--tag", Image);
        Assert.True(built == ExitCodes.Success, buildOutput);
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            accessories:
              cache:
                image: {{Image}}
                port: {{_accessoryPort}}
                volumes: ["{{Volume}}:/data"]
                env: { clear: { CACHE_MODE: persistent } }
            environments:
              production:
                target: { docker: { port: {{_port}} } }
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 30s }
            """);
        using var client = new HttpClient();

        var (booted, bootOutput) = await RunAsync("accessory", "boot", "cache", _app.Path);
        Assert.True(booted == ExitCodes.Success, bootOutput);
        Assert.Contains($"cache: booted on local ({Container}", bootOutput, StringComparison.Ordinal);
        Assert.Contains("python-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_accessoryPort}/")), StringComparison.Ordinal);

        // Its data is on the volume: a reboot recreates the container and keeps it.
        await Docker.RunAsync("exec", "-u", "0", Container, "sh", "-c", "echo kept > /data/marker");
        var before = await ContainerIdAsync();
        var (rebooted, rebootOutput) = await RunAsync("accessory", "reboot", "cache", _app.Path);
        Assert.True(rebooted == ExitCodes.Success, rebootOutput);
        Assert.NotEqual(before, await ContainerIdAsync());
        Assert.Equal("kept", (await Docker.RunAsync("exec", "-u", "0", Container, "cat", "/data/marker")).StandardOutput.Trim());

        // A deploy keeps the running accessory and tells the app where it is.
        var running = await ContainerIdAsync();
        var (deployed, deployOutput) = await RunAsync("deploy", _app.Path);
        Assert.True(deployed == ExitCodes.Success, deployOutput);
        Assert.Equal(running, await ContainerIdAsync());
        var app = (await Docker.RunAsync("ps", "-q", "--filter", $"label=io.deploymind.app={AppName}")).StandardOutput.Trim();
        var env = (await Docker.RunAsync("inspect", "--format", "{{json .Config.Env}}", app)).StandardOutput;
        Assert.Contains("CACHE_HOST=127.0.0.1", env, StringComparison.Ordinal);
        Assert.Contains($"CACHE_PORT={_accessoryPort}", env, StringComparison.Ordinal);

        var (logs, logsOutput) = await RunAsync("accessory", "logs", "cache", _app.Path);
        Assert.True(logs == ExitCodes.Success, logsOutput);
        Assert.Contains($"local {Container} | ", logsOutput, StringComparison.Ordinal);

        // remove: refused without --yes when nobody can answer; with it the container goes and the volume stays.
        var (refused, refusedOutput) = await RunAsync("accessory", "remove", "cache", _app.Path);
        Assert.Equal(ExitCodes.InvalidInput, refused);
        Assert.Contains("--yes", refusedOutput, StringComparison.Ordinal);
        var (removed, removeJson) = await RunAsync("accessory", "remove", "cache", _app.Path, "--yes", "--output", "json");
        Assert.True(removed == ExitCodes.Success, removeJson);
        Assert.Equal(string.Empty, await ContainerIdAsync());
        Assert.Equal(0, (await Docker.RunAsync("volume", "inspect", Volume)).ExitCode);
    }

    [Fact]
    public async Task AccessoryRemove_WithVolumes_RemovesItsNamedVolume_KeepsHostFoldersAndAVolumeAnotherContainerUses()
    {
        using var folder = new TempFolder();
        var shared = $"dmit-acc-{_id}-shared";
        var other = $"dmit-acc-{_id}-other";
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            accessories:
              cache:
                image: deploymind-base/python:3.11
                port: {{_accessoryPort}}
                volumes: ["{{Volume}}:/data", "{{shared}}:/shared", "{{folder.Path}}:/host"]
                command: [sh, -c, 'exec python3 -m http.server "$PORT" --bind 127.0.0.1']
            """);
        try
        {
            var (booted, bootOutput) = await RunAsync("accessory", "boot", "cache", _app.Path);
            Assert.True(booted == ExitCodes.Success, bootOutput);
            var started = await Docker.RunAsync("run", "--detach", "--name", other, "--network", "host", "--volume", $"{shared}:/shared", "deploymind-base/debian:bookworm", "sleep", "600");
            Assert.True(started.Succeeded, started.StandardError);

            // Nobody to ask: the refusal names what would be deleted.
            var (refused, refusedOutput) = await RunAsync("accessory", "remove", "cache", _app.Path, "--volumes");
            Assert.Equal(ExitCodes.InvalidInput, refused);
            Assert.Contains($"And its named volumes, with their data: {Volume}, {shared}.", refusedOutput, StringComparison.Ordinal);

            var (removed, output) = await RunAsync("accessory", "remove", "cache", _app.Path, "--volumes", "--yes");

            Assert.True(removed == ExitCodes.Success, output);
            Assert.Equal(string.Empty, await ContainerIdAsync());
            Assert.NotEqual(0, (await Docker.RunAsync("volume", "inspect", Volume)).ExitCode);
            Assert.Equal(0, (await Docker.RunAsync("volume", "inspect", shared)).ExitCode);
            Assert.True(Directory.Exists(folder.Path));
            Assert.Contains($"{Volume} removed", output, StringComparison.Ordinal);
            Assert.Contains($"{shared} kept: still used by {other}", output, StringComparison.Ordinal);
            Assert.Contains($"{folder.Path} kept: a host folder (bind mount) is never removed", output, StringComparison.Ordinal);
        }
        finally
        {
            await Docker.RemoveContainerAsync(other);
            await Docker.RunAsync("volume", "rm", "--force", shared);
        }
    }

    [Fact]
    public async Task Accessory_UnknownName_IsRefusedWithTheClosest()
    {
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {AppName}\naccessories:\n  cache: {{ image: {Image}, port: {_accessoryPort} }}\n");

        var (code, output) = await RunAsync("accessory", "boot", "cahce", _app.Path);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.True(output.Contains("no accessory named 'cahce'; it has cache", StringComparison.Ordinal), output);
    }

    private async Task<string> ContainerIdAsync() =>
        (await Docker.RunAsync("ps", "-aq", "--filter", $"name=^{Container}$")).StandardOutput.Trim();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db"),
        };
        var code = await DeployMindCli.RunAsync(args, console, new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null), CancellationToken.None);
        return (code, console.Output);
    }
}
