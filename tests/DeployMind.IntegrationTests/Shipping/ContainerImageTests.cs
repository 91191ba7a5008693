using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Shipping;

/// <summary>
/// DeployMind ships as a container image that DeployMind builds and deploys: `deploymind build` of the repository root
/// builds its own Dockerfile (on the local base images: no Docker Hub), the image serves `/healthz` as a non-root user with
/// its records in the volume, answers `--version`; and a deploy of that image through the pipeline (engine, nginx, health
/// checks on `/healthz`) serves it. One build for every assertion; the first build of a machine restores and publishes
/// (Duration=minutes; bounded at 20), later ones come from the engine's layer cache.
/// </summary>
public sealed class ContainerImageTests : IAsyncLifetime, IDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = new();

    private string Image => $"dmit-selfimage-{_suffix}:test";

    private string Container => $"dmit-selfimage-{_suffix}";

    private string AppName => $"dmit-selfdeploy-{_suffix}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Docker.RemoveContainerAsync(Container);
        var deployed = await Docker.Runner.RunAsync(CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in deployed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", "--volumes", id);
        }

        await Docker.Runner.RunAsync(CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Append(Image))
        {
            await Docker.RemoveImageAsync(image);
        }
    }

    public void Dispose()
    {
        _app.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    [Trait("Duration", "minutes")]
    public async Task BuiltByDeployMindFromItsOwnDockerfile_ServesHealthzAsNonRoot_AndDeploysThroughThePipeline()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(20));

        // Built by `deploymind build` of the repository root: its own Dockerfile, not a generated one.
        var (built, buildJson) = await RunAsync(deadline.Token, "build", Repo.Root, "--tag", Image, "--output", "json");
        Assert.True(built == ExitCodes.Success, buildJson);
        using (var build = JsonDocument.Parse(buildJson))
        {
            Assert.False(build.RootElement.GetProperty("dockerfileGenerated").GetBoolean());
            Assert.DoesNotContain(build.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("severity").GetString()!.ToUpperInvariant() is "HIGH" or "CRITICAL");
        }

        // The image's own contract: a non-root user, `deploymind serve` as the command, the records in the volume.
        var config = await Docker.RunAsync("image", "inspect", "--format", "{{.Config.User}}|{{json .Config.Cmd}}|{{json .Config.Volumes}}|{{json .Config.Env}}", Image);
        var parts = config.StandardOutput.Trim().Split('|');
        Assert.Equal("10001:10001", parts[0]);
        Assert.Equal("[\"serve\"]", parts[1]);
        Assert.Contains("/var/lib/deploymind", parts[2], StringComparison.Ordinal);
        Assert.Contains("DEPLOYMIND_HOME=/var/lib/deploymind", parts[3], StringComparison.Ordinal);

        // `deploymind --version` in the image is this build's version.
        var (_, ours) = await RunAsync(deadline.Token, "--version");
        var version = await Docker.RunAsync("run", "--rm", "--network", "host", Image, "--version");
        Assert.True(version.Succeeded, version.StandardError);
        // (The image's build has no .git, so its version carries no commit: 0.1.0, where this build says 0.1.0+<commit>.)
        Assert.Equal(ours.Trim().Split('+')[0], version.StandardOutput.Trim());

        // Run as the image says, on loopback at a free port (HOST/PORT, as a deployment gives them): /healthz answers 200.
        var port = Docker.FreePort();
        var run = await Docker.RunAsync("run", "-d", "--name", Container, "--network", "host", "-e", "HOST=127.0.0.1", "-e", $"PORT={port}", Image);
        Assert.True(run.Succeeded, run.StandardError);
        var health = await Docker.WaitForHttpAsync(port, "/healthz", Container, TimeSpan.FromSeconds(90));
        Assert.Contains("\"ok\"", health, StringComparison.Ordinal);
        using (var http = new HttpClient())
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{port}/readyz"))).StatusCode);
        }

        // The server's process runs as the unprivileged user, and writes its records under the volume's path.
        // (`docker top`'s default columns: UID first, the command last.)
        var top = await Docker.RunAsync("top", Container);
        var serve = Assert.Single(top.StandardOutput.Split('\n').Skip(1), l => l.Contains("deploymind serve", StringComparison.Ordinal));
        Assert.StartsWith("10001 ", serve.Trim(), StringComparison.Ordinal);
        var records = await Docker.RunAsync("exec", Container, "sh", "-c", "id -u; test -s /var/lib/deploymind/deploymind.db && echo recorded");
        Assert.Equal("10001\nrecorded", records.StandardOutput.Trim().ReplaceLineEndings("\n"));
        await Docker.RemoveContainerAsync(Container);

        // DeployMind deploys it: an app that is this image, deployed through the pipeline (scan, build, engine, nginx),
        // health-checked on /healthz, and served through nginx on the port.
        File.WriteAllText(Path.Combine(_app.Path, "Dockerfile"), $"FROM {Image}\nUSER 10001:10001\nEXPOSE 8090\n");
        File.WriteAllText(Path.Combine(_app.Path, ".dockerignore"), "deploymind.yml\n");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                healthCheck: { path: /healthz, interval: 500ms, timeout: 3s, successes: 2, deadline: 90s }
            """);
        var served = Docker.FreePort();
        var (deployed, deployJson) = await RunAsync(deadline.Token, "deploy", _app.Path, "--port", $"{served}", "--output", "json");
        Assert.True(deployed == ExitCodes.Success, deployJson);
        using (var deploy = JsonDocument.Parse(deployJson))
        {
            Assert.Equal("succeeded", deploy.RootElement.GetProperty("state").GetString());
        }

        using var client = new HttpClient();
        using var answer = await client.GetAsync(new Uri($"http://127.0.0.1:{served}/healthz"));
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("\"ok\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var user = await Docker.RunAsync("ps", "--filter", $"label=io.deploymind.app={AppName}", "--format", "{{.ID}}");
        var release = Assert.Single(user.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var releaseTop = await Docker.RunAsync("top", release);
        Assert.Contains(releaseTop.StandardOutput.Split('\n'), l => l.TrimStart().StartsWith("10001 ", StringComparison.Ordinal) && l.Contains("deploymind serve", StringComparison.Ordinal));
    }

    private async Task<(int Code, string Output)> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db"),
        };
        var hosts = new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, cancellationToken);
        return (code, console.Output);
    }
}
