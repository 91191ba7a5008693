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
        Assert.Contains(results, r => r.GetProperty("name").GetString() == "deployment records" && r.GetProperty("passed").GetBoolean()
            && r.GetProperty("detail").GetString()!.StartsWith("SQLite ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_DatabaseThatCannotBeOpened_FailsWithTheReason()
    {
        using var app = Repo.CopyOf(Repo.Example("go-stdlib"));
        using var blocker = new TempFolder();
        var notAFolder = Path.Combine(blocker.Path, "file");
        File.WriteAllText(notAFolder, "a file where the database folder should be");
        var console = new TestConsole().Width(400);

        var code = await DeployMindCli.RunAsync(
            ["validate", app.Path, "--output", "json"], console, CliHostFactory.Isolated(Path.Combine(notAFolder, "deploymind.db")), CancellationToken.None);

        using var doc = JsonDocument.Parse(console.Output);
        var records = Assert.Single(doc.RootElement.EnumerateArray(), r => r.GetProperty("name").GetString() == "deployment records");
        Assert.NotEqual(ExitCodes.Success, code);
        Assert.False(records.GetProperty("passed").GetBoolean());
        Assert.Contains(notAFolder, records.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
