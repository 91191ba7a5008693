using System.Net.Sockets;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>
/// The test infrastructure for deploys to several hosts (scripts/services/host2.sh): host2 has an engine, a network,
/// a HOME of its own, and both engines reach the test registries at 127.0.0.1:5000 and 127.0.0.1:5001.
/// </summary>
public sealed class Host2InfrastructureTests : IAsyncLifetime
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _work = Path.Combine(Path.GetTempPath(), "dmit-host2-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _localImages = [];
    private readonly List<string> _host2Images = [];
    private string _token = "";

    /// <summary>A tiny image built here for each test (<c>FROM scratch</c>, one file holding a unique token).</summary>
    private string Image => $"dmit-host2-{_id}:1";

    private string Container => $"dmit-host2-{_id}";

    public async Task InitializeAsync()
    {
        Host2.EnsureRunning();
        _token = "host2-" + Guid.NewGuid().ToString("N");
        var context = Directory.CreateDirectory(Path.Combine(_work, "image")).FullName;
        await File.WriteAllTextAsync(Path.Combine(context, "token.txt"), _token);
        await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"), "FROM scratch\nCOPY token.txt /token.txt\n");
        _localImages.Add(Image);
        (await Support.Docker.RunAsync("build", "--quiet", "--tag", Image, context)).EnsureSuccess();
    }

    public async Task DisposeAsync()
    {
        await Host2.DockerAsync("rm", "--force", Container);
        foreach (var image in _host2Images)
        {
            await Host2.DockerAsync("image", "rm", "--force", image);
        }

        foreach (var image in _localImages)
        {
            await Support.Docker.RemoveImageAsync(image);
        }

        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Engine_ImageBuiltHere_IsAbsentFromHost2sOwnStore()
    {
        Assert.True((await Support.Docker.RunAsync("image", "inspect", Image)).Succeeded);

        var there = await Host2.DockerAsync("image", "inspect", Image);

        Assert.False(there.Succeeded);
        Assert.Contains("No such image", there.StandardError, StringComparison.OrdinalIgnoreCase);
        var roots = await Task.WhenAll(
            Support.Docker.RunAsync("info", "--format", "{{.DockerRootDir}}"),
            Host2.DockerAsync("info", "--format", "{{.DockerRootDir}}"));
        Assert.Equal("/var/lib/deploymind-host2/docker", roots[1].EnsureSuccess().StandardOutput.Trim());
        Assert.NotEqual(roots[0].EnsureSuccess().StandardOutput.Trim(), roots[1].StandardOutput.Trim());
    }

    [Fact]
    public async Task Ssh_Session_GetsHost2sEngineHomeAndNetwork()
    {
        using var ssh = Host2.CreateRunner();

        var result = await ssh.RunAsync(
            CommandSpec.Create("sh", "-c", "printf '%s\\n' \"$HOME\" \"$DOCKER_HOST\" \"$(readlink /proc/self/ns/net)\"; docker info --format '{{.DockerRootDir}}'"),
            null, CancellationToken.None);

        var lines = result.EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Host2.Home, lines[0]);
        Assert.Equal(Host2.DockerHost, lines[1]);
        Assert.StartsWith("net:[", lines[2], StringComparison.Ordinal);
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, lines[2]);
        Assert.Equal("/var/lib/deploymind-host2/docker", lines[3]);
    }

    [Fact]
    public async Task OpenRegistry_PushedHere_PullsOnHost2()
    {
        var remote = await PushAsync(RegistryTestServer.Open);

        (await Host2.DockerAsync("pull", "--quiet", remote)).EnsureSuccess();

        var ids = await Task.WhenAll(
            Support.Docker.RunAsync("image", "inspect", "--format", "{{.Id}}", Image),
            Host2.DockerAsync("image", "inspect", "--format", "{{.Id}}", remote));
        Assert.Equal(ids[0].EnsureSuccess().StandardOutput.Trim(), ids[1].EnsureSuccess().StandardOutput.Trim());
    }

    [Fact]
    public async Task AuthenticatedRegistry_WithThePassword_PushAndPullWork_WithoutIt_TheyFail()
    {
        var remote = $"{RegistryTestServer.Authenticated}/dmit-host2-{_id}:1";
        var here = Directory.CreateDirectory(Path.Combine(_work, "docker-here")).FullName;
        var there = Directory.CreateDirectory(Path.Combine(_work, "docker-host2")).FullName;
        (await Support.Docker.RunAsync("tag", Image, remote)).EnsureSuccess();
        _localImages.Add(remote);
        _host2Images.Add(remote);

        var anonymousPush = await Support.Docker.RunAsync("--config", here, "push", remote);
        var wrongLogin = await LoginHereAsync(here, "not-" + RegistryTestServer.Password);
        Assert.False(anonymousPush.Succeeded);
        Assert.Contains("no basic auth credentials", anonymousPush.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.False(wrongLogin.Succeeded);
        Assert.Contains("401", wrongLogin.StandardError, StringComparison.Ordinal);

        (await LoginHereAsync(here, RegistryTestServer.Password)).EnsureSuccess();
        (await Support.Docker.RunAsync("--config", here, "push", "--quiet", remote)).EnsureSuccess();

        var anonymousPull = await Host2.DockerAsync("--config", there, "pull", "--quiet", remote);
        Assert.False(anonymousPull.Succeeded);
        Assert.Contains("no basic auth credentials", anonymousPull.StandardError, StringComparison.OrdinalIgnoreCase);
        (await Host2.DockerWithInputAsync(RegistryTestServer.Password, "--config", there, "login", "--username", RegistryTestServer.User,
            "--password-stdin", RegistryTestServer.Authenticated)).EnsureSuccess();
        (await Host2.DockerAsync("--config", there, "pull", "--quiet", remote)).EnsureSuccess();
        Assert.True((await Host2.DockerAsync("image", "inspect", remote)).Succeeded);
    }

    [Fact]
    public async Task ForwardAsync_ContainerOnHost2sLoopback_ReachableThroughTheForwardOnly()
    {
        var remote = await PushAsync(RegistryTestServer.Open);
        (await Host2.DockerAsync("pull", "--quiet", remote)).EnsureSuccess();
        var port = Support.Docker.FreePort();

        // A scratch image has no programs: the container runs this machine's socat from a read-only /usr.
        (await Host2.DockerAsync("run", "--detach", "--name", Container, "--network", "host",
            "--volume", "/usr:/usr:ro", "--volume", "/lib:/lib:ro", "--volume", "/lib64:/lib64:ro", remote,
            "/usr/bin/socat", $"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork", "EXEC:/usr/bin/cat /token.txt")).EnsureSuccess();

        await using var forward = await Host2.ForwardAsync(port);

        Assert.Equal(_token, await ReadUntilAnsweredAsync(forward.LocalPort, TimeSpan.FromSeconds(10)));
        Assert.NotEqual(port, forward.LocalPort);
        var direct = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host2.Host, port);
        });
        Assert.Equal(SocketError.ConnectionRefused, direct.SocketErrorCode);
    }

    /// <summary>Tags the test image for a registry and pushes it from this machine's engine.</summary>
    private async Task<string> PushAsync(string registry)
    {
        var remote = $"{registry}/dmit-host2-{_id}:1";
        (await Support.Docker.RunAsync("tag", Image, remote)).EnsureSuccess();
        _localImages.Add(remote);
        _host2Images.Add(remote);
        (await Support.Docker.RunAsync("push", "--quiet", remote)).EnsureSuccess();
        return remote;
    }

    private static async Task<CommandResult> LoginHereAsync(string config, string password) =>
        await Support.Docker.Runner.RunAsync(
            CommandSpec.Create("docker", "--config", config, "login", "--username", RegistryTestServer.User, "--password-stdin",
                RegistryTestServer.Authenticated) with { StandardInput = password, Secrets = [password] },
            null, CancellationToken.None);

    /// <summary>What 127.0.0.1:port sends before it closes, once it sends anything (the container may still be starting).</summary>
    private static async Task<string> ReadUntilAnsweredAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(Host2.Host, port);
                using var reader = new StreamReader(client.GetStream());
                var text = await reader.ReadToEndAsync();
                if (text.Length > 0)
                {
                    return text;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing answered through the forward to host2 within {timeout.TotalSeconds}s");
            await Task.Delay(50);
        }
    }
}
