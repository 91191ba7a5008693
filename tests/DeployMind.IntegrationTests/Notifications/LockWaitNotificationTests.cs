using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Domain.Deploy;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Notifications;

/// <summary>
/// <c>lock_wait</c> and <c>superseded</c> where nobody is looking: a CLI deploy that waits for a held lock
/// (<c>--lock-wait</c>) sends <c>lock_wait</c> as a worker's job does; a queued job's <c>lock_wait</c> and <c>superseded</c>
/// go to the channels of the app's deploymind.yml (a channel overridden by name, one added), not to the machine's.
/// Real receivers on loopback; the lock is taken in the same records as the deploy's, as another run would hold it.
/// Nothing is built: the deploys never get past the lock.
/// </summary>
public sealed class LockWaitNotificationTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _prefix = new();
    private readonly TempFolder _app = Repo.CopyOf(Repo.Example("go-stdlib"));
    private readonly int _port = Docker.FreePort();
    private readonly string _secret = Guid.NewGuid().ToString("N");
    private LoopbackReceiver _appReceiver = null!;
    private LoopbackReceiver _machineReceiver = null!;
    private DeploymindProcesses? _cli;

    private string AppName { get; } = "dmit-lockwait-" + Guid.NewGuid().ToString("N")[..8];

    private string Database => Path.Combine(_home.Path, "deploymind.db");

    public async Task InitializeAsync()
    {
        _appReceiver = await LoopbackReceiver.StartAsync();
        _machineReceiver = await LoopbackReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _cli?.Dispose();
        await _appReceiver.DisposeAsync();
        await _machineReceiver.DisposeAsync();
    }

    public void Dispose()
    {
        _cli?.Dispose();
        _app.Dispose();
        _prefix.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task CliDeploy_WaitingForAHeldLock_SendsLockWaitWithItsLink_ThenGivesUpChangingNothing()
    {
        WriteAppConfig(lockWait: "1s");
        await using var holder = await HoldLockAsync("docker:local");

        var (code, output) = await RunInProcessAsync("deploy", _app.Path, "--port", $"{_port}", "--lock-wait", "5s");

        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("The lock of docker:local is still held by test-holder", output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        // The app's two channels are sent to at once: in either order.
        var first = await _appReceiver.NextAsync(TimeSpan.FromSeconds(10));
        var second = await _appReceiver.NextAsync(TimeSpan.FromSeconds(5));
        var notice = first.Path.StartsWith("/app/team/", StringComparison.Ordinal) ? first : second;
        var ops = ReferenceEquals(notice, first) ? second : first;
        var body = JsonNode.Parse(notice.Body)!;
        Assert.Equal($"/app/team/{_secret}", notice.Path);
        Assert.Equal("lock_wait", body["event"]!.GetValue<string>());
        Assert.Equal($"{AppName}: deployment to production is waiting for a lock", body["title"]!.GetValue<string>());
        Assert.StartsWith("waiting for the lock of docker:local, held by test-holder", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("notifications.lockWait is 1s", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("https://deploy.example.test/deployments/", body["link"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(body["deployment"]!["id"]!.GetValue<string>(), body["link"]!.GetValue<string>()["https://deploy.example.test/deployments/".Length..]);

        // Once: the other channel of the app heard it too, nothing more came; nothing was deployed.
        Assert.Equal($"/app/ops/{_secret}", ops.Path);
        Assert.Equal("lock_wait", JsonNode.Parse(ops.Body)!["event"]!.GetValue<string>());
        await Task.Delay(500);
        Assert.Empty(_appReceiver.Drain());
        Assert.Equal(string.Empty, (await Docker.RunAsync("ps", "-q", "--filter", $"label=io.deploymind.app={AppName}")).StandardOutput.Trim());
    }

    [Fact]
    public async Task QueuedJob_LockWaitThenSuperseded_GoToTheAppsChannels_NotTheMachines()
    {
        // The machine's file has a channel `team` (to the machine's receiver) and waits 10m; the app overrides `team`,
        // adds `ops` and waits 1s.
        var machine = Path.Combine(_home.Path, "machine.yml");
        File.WriteAllText(machine, File.ReadAllText(Repo.LocalBaseImagesConfig) + $$"""

            notifications:
              lockWait: 10m
              channels:
                team: { type: webhook, urlFile: {{Secret("machine-team.url", _machineReceiver.Url($"machine/team/{_secret}").AbsoluteUri)}}, secretFile: {{Secret("signing", _secret)}} }
            """);
        WriteAppConfig(lockWait: "1s");
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = machine,
            ["DEPLOYMIND__NGINX__PREFIX"] = _prefix.Path,
        });
        var queued = await _cli.RunAsync("deploy", _app.Path, "--queue", "--port", _port.ToString(CultureInfo.InvariantCulture), "--output", "json");
        Assert.True(queued.Succeeded, queued.StandardError + queued.StandardOutput);
        Guid id;
        using (var doc = JsonDocument.Parse(queued.StandardOutput))
        {
            id = Guid.Parse(doc.RootElement.GetProperty("id").GetString()!);
        }

        var holder = await HoldLockAsync("docker:local", machine);
        try
        {
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            _cli.Start(output, "worker", "--environment", "production", "--name", "lockwait-worker");

            // lock_wait, once per channel of the app, with the worker's words.
            ReceivedRequest first;
            try
            {
                first = await _appReceiver.NextAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                var status = await _cli.RunAsync("status", id.ToString("N")[..8], "--output", "json");
                var logs = await _cli.RunAsync("logs", id.ToString("N")[..8]);
                Assert.Fail("no lock_wait: " + logs.StandardOutput + logs.StandardError + "\nworker: " + string.Join('\n', output) + "\nmachine receiver: " + string.Join('\n', _machineReceiver.Drain().Select(r => r.Path + " " + r.Body)));
                throw;
            }

            var second = await _appReceiver.NextAsync(TimeSpan.FromSeconds(10));
            Assert.Equal([$"/app/ops/{_secret}", $"/app/team/{_secret}"], new[] { first.Path, second.Path }.Order(StringComparer.Ordinal));
            foreach (var notice in new[] { first, second })
            {
                var body = JsonNode.Parse(notice.Body)!;
                Assert.Equal("lock_wait", body["event"]!.GetValue<string>());
                Assert.Equal($"https://deploy.example.test/deployments/{id:D}", body["link"]!.GetValue<string>());
                Assert.StartsWith("waiting for the lock of docker:local, held by test-holder", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
                Assert.Contains("notifications.lockWait is 1s", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }

            // A newer deployment of the app succeeded meanwhile (recorded as a run that finished would record it).
            await RecordNewerSuccessAsync(holder);
        }
        finally
        {
            await holder.DisposeAsync();
        }

        // The lock is free: the worker takes the job, finds the newer release, and the job ends superseded — told to the app's channels.
        var ends = new[] { await _appReceiver.NextAsync(TimeSpan.FromSeconds(60)), await _appReceiver.NextAsync(TimeSpan.FromSeconds(10)) };
        Assert.Equal([$"/app/ops/{_secret}", $"/app/team/{_secret}"], ends.Select(e => e.Path).Order(StringComparer.Ordinal));
        foreach (var notice in ends)
        {
            var body = JsonNode.Parse(notice.Body)!;
            Assert.Equal("superseded", body["event"]!.GetValue<string>());
            Assert.Equal($"{AppName}: deployment to production superseded", body["title"]!.GetValue<string>());
            Assert.Equal($"https://deploy.example.test/deployments/{id:D}", body["link"]!.GetValue<string>());
        }

        var state = await _cli.WaitForStateAsync(id.ToString("N")[..8], s => s is "superseded", TimeSpan.FromSeconds(30));
        Assert.Contains(state.GetProperty("events").EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith(LockWaitNotice.Noticed, StringComparison.Ordinal));

        // The machine's channel of the same name was overridden: it heard nothing.
        await Task.Delay(500);
        Assert.Empty(_machineReceiver.Drain());
        Assert.Empty(_appReceiver.Drain());
    }

    private void WriteAppConfig(string lockWait) =>
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $$"""
            app: {{AppName}}
            environments:
              production:
                healthCheck: { path: /health, interval: 250ms, successes: 2, deadline: 30s }
            notifications:
              publicUrl: https://deploy.example.test
              lockWait: {{lockWait}}
              timeout: 3s
              channels:
                team: { type: webhook, urlFile: {{Secret("app-team.url", _appReceiver.Url($"app/team/{_secret}").AbsoluteUri)}}, secretFile: {{Secret("signing", _secret)}} }
                ops: { type: webhook, urlFile: {{Secret("app-ops.url", _appReceiver.Url($"app/ops/{_secret}").AbsoluteUri)}}, secretFile: {{Secret("signing", _secret)}}, events: [lock_wait, superseded] }
            """);

    /// <summary>A file in the test's home holding <paramref name="value"/> (channel URLs and secrets are never in the YAML); its path.</summary>
    private string Secret(string name, string value)
    {
        var path = Path.Combine(_home.Path, name);
        File.WriteAllText(path, value);
        return path;
    }

    /// <summary>Another run's hold of <paramref name="target"/> in the test's records (as a CLI deploy or a worker holds it).</summary>
    private async Task<LockHolder> HoldLockAsync(string target, string? machine = null)
    {
        var host = Hosts(machine).Create(null, null, verbose: false);
        var locks = host.Services.GetRequiredService<IDeployLock>();
        var handle = await locks.TryAcquireAsync(target, "test-holder", TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.NotNull(handle);
        return new LockHolder(host, locks, handle!);
    }

    private async Task RecordNewerSuccessAsync(LockHolder holder)
    {
        var store = holder.Host.Services.GetRequiredService<IDeploymentStore>();
        var now = DateTimeOffset.UtcNow;
        var newer = new Deployment(Guid.NewGuid(), AppName, "production", StrategyKind.Rolling, "test", now);
        await store.AddAsync(newer, CancellationToken.None);
        foreach (var state in new[] { DeploymentState.Scanning, DeploymentState.Building, DeploymentState.Deploying, DeploymentState.Verifying, DeploymentState.Succeeded })
        {
            newer.MoveTo(state, "newer run", now);
        }

        await store.SaveAsync(newer, CancellationToken.None);
    }

    private CliHostFactory Hosts(string? machine) => new(
        new Dictionary<string, string?>
        {
            ["nginx:prefix"] = _prefix.Path,
            ["database:path"] = Database,
        },
        machine ?? Repo.LocalBaseImagesConfig,
        null);

    private async Task<(int Code, string Output)> RunInProcessAsync(params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, Hosts(null), CancellationToken.None);
        return (code, console.Output);
    }

    private sealed class LockHolder(IHost host, IDeployLock locks, LockHandle handle) : IAsyncDisposable
    {
        public IHost Host { get; } = host;

        public async ValueTask DisposeAsync()
        {
            await locks.ReleaseAsync(handle, CancellationToken.None);
            Host.Dispose();
        }
    }
}
