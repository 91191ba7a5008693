using System.Diagnostics;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Infrastructure.Nginx;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Spectre.Console.Testing;
using Xunit.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// `deploymind validate` on a real managed nginx whose instance cannot reload (a site's port held by another process),
/// and with a configured port held by another process.
/// </summary>
public sealed class NginxValidateTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _prefix = new();
    private readonly TestBackend _backend = new("v");
    private readonly TcpListener _holder = new(IPAddress.Loopback, 0);
    private readonly NginxTrafficRouter _router;
    private readonly ITestOutputHelper _output;

    public NginxValidateTests(ITestOutputHelper output)
    {
        _output = output;
        _router = new NginxTrafficRouter(Docker.Runner, new NginxOptions { Prefix = _prefix.Path }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
        _holder.Start();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            await _router.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _backend.DisposeAsync();
        }
    }

    public void Dispose()
    {
        _router.Dispose();
        _holder.Dispose();
        _prefix.Dispose();
    }

    [Fact]
    public async Task Validate_PortsHeldByAnotherProcess_FailsNamingTheSiteOrKeyTheProcessAndNginxsError()
    {
        var goodPort = Docker.FreePort();
        await _router.ApplyAsync(new RouteSpec("good", goodPort, [new(_backend.Address, 1, "v1")]), CancellationToken.None);
        var healthy = await ValidateAsync(goodPort);
        Assert.True(healthy["local: nginx sites"].GetProperty("passed").GetBoolean(), healthy["local: nginx sites"].ToString());
        Assert.Equal("1 site(s), served as written", healthy["local: nginx sites"].GetProperty("detail").GetString());

        // A site as a failed reload of an older DeployMind left it (on disk, its port held), one reload that failed on
        // it (as every reload of the instance now would), and a site quarantined earlier.
        var held = ((IPEndPoint)_holder.LocalEndpoint).Port;
        var sites = Path.Combine(_prefix.Path, "conf", "sites");
        var brokenRoute = new RouteSpec("neighbour", held, [new(_backend.Address, 1, "n1")]);
        await File.WriteAllTextAsync(Path.Combine(sites, "neighbour.conf"), NginxConfigRenderer.RenderSite(brokenRoute, "127.0.0.1", Path.Combine(_prefix.Path, "logs", "neighbour.access.log"), 16, "old-1"));
        await File.WriteAllTextAsync(Path.Combine(sites, "older.conf.broken"), "server { listen 127.0.0.1:1; }\n");
        var layout = NginxLayout.Create(new NginxOptions { Prefix = _prefix.Path }, home: null);
        (await Docker.Runner.RunAsync(NginxCommands.Reload(layout, []), null, CancellationToken.None)).EnsureSuccess();
        await WaitUntilAsync(() => File.ReadAllText(layout.ErrorLogPath).Contains("still could not bind()", StringComparison.Ordinal));

        using var otherHolder = new TcpListener(IPAddress.Loopback, 0);
        otherHolder.Start();
        var configured = ((IPEndPoint)otherHolder.LocalEndpoint).Port;
        var broken = await ValidateAsync(configured);

        var check = broken["local: nginx sites"];
        var detail = check.GetProperty("detail").GetString()!;
        _output.WriteLine(detail);
        Assert.False(check.GetProperty("passed").GetBoolean());
        Assert.Contains($"{sites}/neighbour.conf: its listen port {held} is held by another process (dotnet, pid {Environment.ProcessId}), not this nginx", detail, StringComparison.Ordinal);
        Assert.Contains($"[emerg] bind() to 127.0.0.1:{held} failed (98: Address already in use)", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("good.conf", detail, StringComparison.Ordinal);
        Assert.Contains($"port {configured} (environments.production.target.docker.port) is held by another process (dotnet, pid {Environment.ProcessId})", detail, StringComparison.Ordinal);
        var quarantined = broken["local: nginx quarantined sites"];
        Assert.True(quarantined.GetProperty("warning").GetBoolean());
        Assert.Contains($"{sites}/older.conf.broken", quarantined.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, JsonElement>> ValidateAsync(int port)
    {
        using var app = Repo.CopyOf(Repo.Example("go-stdlib"));
        app.Write("deploymind.yml", $"environments:\n  production:\n    target:\n      docker:\n        port: {port}\n");
        var console = new TestConsole().Width(400);
        var hosts = new CliHostFactory(new Dictionary<string, string?> { ["nginx:prefix"] = _prefix.Path }, null, null);

        await DeployMindCli.RunAsync(["validate", app.Path, "--output", "json"], console, hosts, CancellationToken.None);

        using var doc = JsonDocument.Parse(console.Output);
        return doc.RootElement.EnumerateArray()
            .Where(r => r.GetProperty("name").GetString()!.StartsWith("local: nginx ", StringComparison.Ordinal))
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r.Clone());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "nginx did not log the failed reload within 10 s");
            await Task.Delay(50);
        }
    }
}
