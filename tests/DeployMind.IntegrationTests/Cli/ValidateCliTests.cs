using System.Text.Json;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.IntegrationTests.Support;
using Spectre.Console.Testing;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>`deploymind validate` on this machine and the test SSH host (real engine, nginx, sshd).</summary>
public sealed class ValidateCliTests
{
    [Fact]
    public async Task Validate_ExampleOnThisMachineAndTheSshHost_EverythingChecksOut()
    {
        SshTestServer.EnsureRunning();
        using var app = Repo.CopyOf(Repo.Example("go-stdlib"));
        File.WriteAllText(Path.Combine(app.Path, "deploymind.yml"), $$"""
            environments:
              production:
                target:
                  docker:
                    hosts:
                      - { name: here }
                      - { name: loopback-ssh, ssh: "ssh://{{SshTestServer.User}}@{{SshTestServer.Host}}:{{SshTestServer.Port}}", key: {{SshTestServer.PrivateKey}}, knownHosts: {{SshTestServer.KnownHosts}} }
            """);
        var console = new TestConsole().Width(400);

        var code = await DeployMindCli.RunAsync(["validate", app.Path, "--output", "json"], console, CliHostFactory.Isolated(), CancellationToken.None);

        using var doc = JsonDocument.Parse(console.Output);
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.True(code == ExitCodes.Success, console.Output);
        Assert.Contains(results, r => r.GetProperty("name").GetString() == "loopback-ssh: Docker engine" && r.GetProperty("passed").GetBoolean());
        Assert.Contains(results, r => r.GetProperty("name").GetString() == "loopback-ssh: connection" && r.GetProperty("detail").GetString()!.StartsWith("ssh ", StringComparison.Ordinal));
        Assert.Contains(results, r => r.GetProperty("name").GetString() == "here: nginx" && r.GetProperty("passed").GetBoolean());
    }
}
