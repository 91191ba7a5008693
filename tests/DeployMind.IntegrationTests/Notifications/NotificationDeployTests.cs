using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Notifications;

/// <summary>
/// A real deploy (`deploymind deploy`: build, engine, nginx) whose app configures its own channels in deploymind.yml:
/// the live channel hears started then succeeded with the deployment's link, the channel for another environment hears
/// nothing, and a dead receiver and one that never answers fail neither the deploy nor hold it beyond the timeout —
/// each is a warning in the deployment's log, without its URL.
/// </summary>
public sealed class NotificationDeployTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private readonly string _secret = Guid.NewGuid().ToString("N");
    private readonly List<string> _variables = [];
    private LoopbackReceiver _live = null!;
    private LoopbackReceiver _hanging = null!;

    private string AppName { get; } = "dmit-notify-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        _live = await LoopbackReceiver.StartAsync();
        _hanging = await LoopbackReceiver.StartAsync();
        _hanging.Hang = true;
    }

    public async Task DisposeAsync()
    {
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        await _live.DisposeAsync();
        await _hanging.DisposeAsync();
        var names = await Docker.Runner.RunAsync(
            Infrastructure.Processes.CommandSpec.Create("docker", "ps", "-aq", "--filter", $"label=io.deploymind.app={AppName}"), null, CancellationToken.None);
        foreach (var id in names.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            await Docker.RunAsync("rm", "--force", id);
        }

        await Docker.Runner.RunAsync(Infrastructure.Processes.CommandSpec.Create("nginx", "-p", _prefix.Path, "-c", "conf/nginx.conf", "-s", "quit"), null, CancellationToken.None);
        var repository = Application.Build.ImageNames.Repository(Path.GetFileName(_app.Path));
        var images = await Docker.RunAsync("images", "--format", "{{.Repository}}:{{.Tag}}", repository);
        foreach (var image in images.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
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
    public async Task Deploy_WithDeadAndHangingReceivers_Succeeds_LiveChannelHearsStartedAndSucceeded_FailuresAreLogWarnings()
    {
        var live = _live.Url($"services/{_secret}");
        var dead = new Uri($"http://127.0.0.1:{Docker.FreePort()}/dead/{_secret}");
        var hanging = _hanging.Url($"teams/{_secret}");
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                healthCheck: { path: /health, interval: 250ms, timeout: 2s, successes: 2, deadline: 30s }
            notifications:
              publicUrl: https://deploy.example.test
              timeout: 2s
              channels:
                team: { type: slack, urlVariable: {{Variable("LIVE", live.AbsoluteUri)}}, events: [started, succeeded, failed], environments: [production] }
                staging-only: { type: discord, urlVariable: {{Variable("STAGING", live.AbsoluteUri)}}, environments: [staging] }
                dead: { type: webhook, urlVariable: {{Variable("DEAD", dead.AbsoluteUri)}}, secretVariable: {{Variable("DEAD_SECRET", _secret)}} }
                hanging: { type: teams, urlVariable: {{Variable("HANGING", hanging.AbsoluteUri)}}, events: [succeeded] }
            """);

        var clock = Stopwatch.StartNew();
        var (code, output) = await RunAsync("deploy", _app.Path, "--port", $"{_port}", "--output", "json");
        clock.Stop();

        Assert.True(code == ExitCodes.Success, output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("succeeded", json.RootElement.GetProperty("state").GetString());
        var id = json.RootElement.GetProperty("id").GetString()!;
        var link = $"https://deploy.example.test/deployments/{id}";

        // The live channel: started, then succeeded, each with the link; nothing for staging.
        var started = JsonNode.Parse((await _live.NextAsync(TimeSpan.FromSeconds(10))).Body)!;
        var succeeded = JsonNode.Parse((await _live.NextAsync(TimeSpan.FromSeconds(10))).Body)!;
        Assert.Contains($"{AppName}: deploying", started["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"{AppName}: deployed", succeeded["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("to production", succeeded["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(link, started["blocks"]![2]!["elements"]![0]!["url"]!.GetValue<string>());
        Assert.Equal(link, succeeded["blocks"]![2]!["elements"]![0]!["url"]!.GetValue<string>());
        Assert.Empty(_live.Drain());

        // The hanging receiver was asked (once: only succeeded) and never answered; the command did not wait for it past the timeout.
        Assert.Single(_hanging.Drain());

        // The failures are warnings in the deployment's log, naming the channel, never its URL.
        var (_, logs) = await RunAsync("logs", id);
        Assert.Contains("notification 'dead' (webhook) of started was not sent: the receiver cannot be reached", logs, StringComparison.Ordinal);
        Assert.Contains("notification 'hanging' (teams) of succeeded was not sent: no answer within 2s", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(_secret, output, StringComparison.Ordinal);
        using var client = new HttpClient();
        Assert.Contains("go-stdlib-example", await client.GetStringAsync(new Uri($"http://127.0.0.1:{_port}/")), StringComparison.Ordinal);
    }

    private string Variable(string name, string value)
    {
        var variable = $"DM_IT_NOTIFY_{name}_{_suffix}";
        Environment.SetEnvironmentVariable(variable, value);
        _variables.Add(variable);
        return variable;
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var settings = new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Path.Combine(_prefix.Path, "records", "deploymind.db"),
        };
        var hosts = new CliHostFactory(settings, Repo.LocalBaseImagesConfig, null);
        var code = await DeployMindCli.RunAsync(args, console, hosts, CancellationToken.None);
        return (code, console.Output);
    }
}
