using System.Text.Json;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Deploy;

/// <summary>A container's variables over SSH (the test sshd on this machine): a 0600 env file on the host, gone with the container.</summary>
public sealed class SshEnvFileTests : IDisposable
{
    private const string Image = "deploymind-base/debian:bookworm";
    private readonly SshCommandRunner _ssh;
    private readonly string _name = "dmit-sshenv-" + Guid.NewGuid().ToString("N")[..8];

    public SshEnvFileTests()
    {
        SshTestServer.EnsureRunning();
        _ssh = SshTestServer.CreateRunner();
    }

    public void Dispose()
    {
        Support.Docker.RemoveContainerAsync(_name).GetAwaiter().GetResult();
        _ssh.Dispose();
    }

    [Fact]
    public async Task RunAsync_OverSsh_ValuesReachTheContainerThroughAPrivateFileRemovedWithIt()
    {
        var value = "v-" + Guid.NewGuid().ToString("N");
        var runtime = new DockerContainerRuntime(_ssh);
        var spec = new ContainerSpec(_name, Image, Support.Docker.FreePort())
        {
            Environment = new Dictionary<string, string> { ["API_KEY"] = value, ["MODE"] = "test" },
        }.WithCommand("sleep", "60");

        await runtime.RunAsync(spec, CancellationToken.None);

        var inspect = (await Support.Docker.RunAsync("inspect", _name)).StandardOutput;
        using var json = JsonDocument.Parse(inspect);
        var container = json.RootElement[0];
        Assert.Contains($"API_KEY={value}", container.GetProperty("Config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.DoesNotContain(value, container.GetProperty("Path").GetRawText() + container.GetProperty("Args").GetRawText() + container.GetProperty("Config").GetProperty("Cmd").GetRawText(), StringComparison.Ordinal);

        // The file, where the SSH user's HOME is (root's, as sshd runs it).
        var stat = await _ssh.RunAsync(CommandSpec.Create("sh", "-c", "stat -c '%a %n' \"$HOME/.deploymind/env/$1.env\"", "sh", _name), null, CancellationToken.None);
        Assert.True(stat.Succeeded, stat.StandardError);
        Assert.StartsWith("600 ", stat.StandardOutput, StringComparison.Ordinal);

        await runtime.RemoveAsync(_name, CancellationToken.None);

        var after = await _ssh.RunAsync(CommandSpec.Create("sh", "-c", "test -e \"$HOME/.deploymind/env/$1.env\"", "sh", _name), null, CancellationToken.None);
        Assert.NotEqual(0, after.ExitCode);
    }
}
