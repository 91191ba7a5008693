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

    [Fact]
    public async Task Validate_Registries_ShowsEachLoginAndFailsOneWhosePasswordCannotBeRead()
    {
        using var app = Repo.CopyOf(Repo.Example("go-stdlib"));
        var variable = "DM_TEST_REGISTRY_PASSWORD_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        File.WriteAllText(Path.Combine(app.Path, "deploymind.yml"), $$"""
            build:
              registry: { server: {{RegistryTestServer.Authenticated}}/team, username: {{RegistryTestServer.User}}, passwordFile: {{RegistryTestServer.PasswordFile}} }
            environments:
              production: { strategy: rolling }
              staging:
                build:
                  registry: { server: registry.example.com, username: ci, passwordVariable: {{variable}} }
              preview:
                build:
                  registry: { server: none }
            """);
        var console = new TestConsole().Width(400);

        var code = await DeployMindCli.RunAsync(["validate", app.Path, "--output", "json"], console, CliHostFactory.Isolated(), CancellationToken.None);

        using var doc = JsonDocument.Parse(console.Output);
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.NotEqual(ExitCodes.Success, code);
        var production = Assert.Single(results, r => r.GetProperty("name").GetString() == $"registry {RegistryTestServer.Authenticated}/team (production)");
        Assert.True(production.GetProperty("passed").GetBoolean(), production.ToString());
        Assert.Contains($"logs in as {RegistryTestServer.User}", production.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var staging = Assert.Single(results, r => r.GetProperty("name").GetString() == "registry registry.example.com (staging)");
        Assert.False(staging.GetProperty("passed").GetBoolean());
        Assert.Contains($"environments.staging.build.registry.passwordVariable: {variable} is not set", staging.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(results, r => r.GetProperty("name").GetString()!.Contains("(preview)", StringComparison.Ordinal));
        Assert.DoesNotContain(RegistryTestServer.Password, console.Output, StringComparison.Ordinal);
    }
}
