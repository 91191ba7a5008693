using System.Collections.Concurrent;
using System.Net;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>`deploymind serve` as users run it: a separate process, configured by environment variables, stopped by SIGTERM.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private const string Secret = "process-secret";
    private readonly TempFolder _home = new();
    private readonly DeploymindProcesses _cli;
    private readonly int _port = Support.Docker.FreePort();

    public ServeProcessTests()
    {
        _cli = new DeploymindProcesses(new Dictionary<string, string>
        {
            ["DEPLOYMIND_HOME"] = _home.Path,
            ["DEPLOYMIND_MACHINE_CONFIG"] = Path.Combine(_home.Path, "none.yml"),
            ["GITHUB_WEBHOOK_SECRET"] = Secret,
        });
    }

    public void Dispose()
    {
        _cli.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task Serve_QueuesASignedPush_WhichListShows_AndStopsCleanlyOnSigterm()
    {
        var output = new ConcurrentQueue<string>();
        var serve = _cli.Start(output, "serve", "--urls", $"http://127.0.0.1:{_port}", "--no-workers");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(10) };
        await DeploymindProcesses.WaitReadyAsync(client, serve, output);

        var body = SignedDelivery.Fixture("push.with-new-branch.json");
        using (var response = await client.SendAsync(SignedDelivery.Signed("push", body, Secret)))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var refused = await client.SendAsync(SignedDelivery.Signed("push", body, "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var list = await _cli.RunAsync("list", "--output", "json");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("Codertocat/Hello-World", list.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("queued", list.StandardOutput, StringComparison.Ordinal);

        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await serve.WaitForExitAsync(exit.Token);
        Assert.Equal(0, serve.ExitCode);
        Assert.DoesNotContain(output, line => line.Contains(Secret, StringComparison.Ordinal));
    }
}
