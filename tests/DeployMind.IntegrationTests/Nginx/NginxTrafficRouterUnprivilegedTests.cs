using System.Diagnostics;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Nginx;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>The managed nginx run by a normal user (nobody when the tests run as root), in its own prefix.</summary>
public sealed class NginxTrafficRouterUnprivilegedTests : IAsyncLifetime, IDisposable
{
    private readonly DirectoryInfo _prefix = Directory.CreateTempSubdirectory("dm-nginx-user-");
    private readonly TestBackend _backend = new("u");
    private readonly NginxTrafficRouter _router;

    public NginxTrafficRouterUnprivilegedTests()
    {
        _router = new NginxTrafficRouter(
            new UnprivilegedRunner(), new NginxOptions { Prefix = _prefix.FullName }, TimeProvider.System, NullLogger<NginxTrafficRouter>.Instance);
    }

    public async Task InitializeAsync()
    {
        if (UnprivilegedRunner.TestsRunAsRoot)
        {
            (await Docker.Runner.RunAsync(
                Infrastructure.Processes.CommandSpec.Create("chown", UnprivilegedRunner.User, _prefix.FullName), null, CancellationToken.None)).EnsureSuccess();
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _router.StopAsync(CancellationToken.None);
        }
        finally
        {
            await _backend.DisposeAsync();
            _prefix.Delete(recursive: true);
        }
    }

    public void Dispose() => _router.Dispose();

    [Fact]
    public async Task ApplyAsync_NormalUser_StartsNginxWithoutRootAndServes()
    {
        var port = Docker.FreePort();

        await _router.ApplyAsync(new RouteSpec("plain", port, [new(_backend.Address, 1, "v1")]), CancellationToken.None);

        var pid = (await File.ReadAllTextAsync(Path.Combine(_prefix.FullName, "logs", "nginx.pid"))).Trim();
        var uid = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        Assert.DoesNotContain("\t0\t", uid + "\t", StringComparison.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        string? body = null;
        while (body is null)
        {
            try
            {
                body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/"));
            }
            catch (HttpRequestException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }

        Assert.Equal("u", body);
        var traffic = await _router.ReadTrafficAsync("plain", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Equal(1, traffic.For(_backend.Address).Requests);
    }
}
