using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Build;

/// <summary>
/// The Build agent's Dockerfile proposals through the whole CLI deploy (real docker build, engine and nginx; the model a
/// loopback OpenAI-compatible server): a proposal that does not build leaves the app's own Dockerfile built and says so;
/// one that lints clean and builds is what runs, recorded as such on the image and in the timeline.
/// </summary>
public sealed class DockerfileProposalTests : IAsyncLifetime, IDisposable
{
    /// <summary>The app's own Dockerfile: two lint findings (DM024 MAINTAINER, DM015 shell-form CMD), none blocking.</summary>
    private const string Original = """
        FROM deploymind-base/python:3.11
        MAINTAINER ops@example.com
        WORKDIR /app
        COPY app.py .
        USER 10001
        CMD python3 app.py
        """;

    private const string Fixed = """
        FROM deploymind-base/python:3.11
        WORKDIR /app
        COPY app.py .
        USER 10001
        CMD ["python3", "app.py"]
        """;

    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("python-stdlib"));
    private readonly int _port = Docker.FreePort();
    private LoopbackChatServer _model = null!;

    private string AppName { get; } = "dmit-proposal-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync() => _model = await LoopbackChatServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _model.DisposeAsync();
        var names = await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
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
    public async Task Deploy_AProposalThatFailsIsNotUsed_OneThatLintsCleanAndBuildsIsWhatRuns()
    {
        await File.WriteAllTextAsync(Path.Combine(_app.Path, "Dockerfile"), Original);
        await File.WriteAllTextAsync(Path.Combine(_app.Path, ".dockerignore"), ".git\n");
        await File.WriteAllTextAsync(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                target: { docker: { port: {{_port}} } }
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 60s }
            ai:
              provider: openai-compatible
              endpoint: {{_model.Endpoint}}
              model: llama-loopback
              timeout: 30s
              dockerfileProposals: all
            """);
        using var client = new HttpClient();

        // 1. The proposal lints clean but does not build: the app's own Dockerfile is built and deployed.
        var proposal = Proposal("Exec-form CMD.", Fixed.Replace("USER 10001", "RUN exit 3\nUSER 10001", StringComparison.Ordinal));
        _model.Respond = body => body.Contains("improving a Dockerfile", StringComparison.Ordinal) ? proposal : null;
        var (first, firstOutput) = await RunAsync("deploy", _app.Path);
        Assert.True(first == ExitCodes.Success, firstOutput);
        var (firstImage, firstEvents) = await RecordedAsync();
        Assert.Equal("repository", await DockerfileLabelAsync(firstImage));
        Assert.Contains(firstEvents, e => e.Contains("Dockerfile: the build-agent's proposal (llama-loopback) did not build", StringComparison.Ordinal)
            && e.Contains("the app's own Dockerfile was built instead", StringComparison.Ordinal));
        Assert.Contains("python-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);

        // 2. A changed Dockerfile, a proposal that lints clean and builds: it is what runs.
        await File.AppendAllTextAsync(Path.Combine(_app.Path, "Dockerfile"), "# v2\n");
        proposal = Proposal("Exec-form CMD so the app gets SIGTERM; MAINTAINER dropped.", Fixed);
        var (second, secondOutput) = await RunAsync("deploy", _app.Path);
        Assert.True(second == ExitCodes.Success, secondOutput);
        var (secondImage, secondEvents) = await RecordedAsync();
        Assert.NotEqual(firstImage, secondImage);
        Assert.Equal("proposal", await DockerfileLabelAsync(secondImage));
        Assert.Contains(secondEvents, e => e.Contains("Dockerfile: the build-agent's proposal (llama-loopback) was built: lint 2 -> 0 issue(s); Exec-form CMD so the app gets SIGTERM", StringComparison.Ordinal));
        var cmd = (await Docker.RunAsync("image", "inspect", "--format", "{{json .Config.Cmd}}", secondImage)).StandardOutput.Trim();
        Assert.Equal("""["python3","app.py"]""", cmd);
        Assert.Contains("python-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
        Assert.Contains(_model.Requests, r => r.Contains("MAINTAINER ops@example.com", StringComparison.Ordinal));
    }

    private static string Proposal(string why, string dockerfile) =>
        JsonSerializer.Serialize(new { explanation = why, dockerfile, recommendations = Array.Empty<string>() });

    private static async Task<string> DockerfileLabelAsync(string image) =>
        (await Docker.RunAsync("image", "inspect", "--format", "{{ index .Config.Labels \"io.deploymind.dockerfile\" }}", image)).StandardOutput.Trim();

    /// <summary>The newest deployment's image and timeline lines.</summary>
    private async Task<(string Image, IReadOnlyList<string> Events)> RecordedAsync()
    {
        var (_, list) = await RunAsync("list", "--output", "json", "--limit", "1");
        var id = JsonDocument.Parse(list).RootElement[0].GetProperty("id").GetString()!;
        var (_, status) = await RunAsync("status", id, "--output", "json");
        var deployment = JsonDocument.Parse(status).RootElement.GetProperty("deployment");
        return (deployment.GetProperty("imageTag").GetString()!, [.. deployment.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("detail").GetString()!)]);
    }

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
