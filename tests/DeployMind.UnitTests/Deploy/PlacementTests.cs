using DeployMind.Application.Deploy;
using DeployMind.Application.Records;
using DeployMind.Cli;
using DeployMind.Cli.Hosting;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Testing;

namespace DeployMind.UnitTests.Deploy;

/// <summary>Where an app lives is remembered: a deploy without --port or --host stays, one naming another is refused unless --relocate.</summary>
public sealed class PlacementTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-placement-");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public void NoFlags_StayWhereTheAppIsServed()
    {
        var placement = new Placement("ssh://deploy@203.0.113.10:22", 8081, Served("ssh://deploy@203.0.113.10:22", 8081));

        var command = placement.Apply(new DeployCommand("/app"), relocate: false, portConfigured: false, hostsConfigured: false);

        // Before, leaving out --port moved the app to 8080.
        Assert.Equal(8081, command.Port);
        Assert.Equal("ssh://deploy@203.0.113.10:22", command.Host);
    }

    [Fact]
    public void TheConfiguration_WhenItNamesPortAndHosts_IsFollowed()
    {
        var placement = new Placement("local", 8081, Served("local", 8081));

        var command = placement.Apply(new DeployCommand("/app"), relocate: false, portConfigured: true, hostsConfigured: true);

        Assert.Null(command.Port);
        Assert.Null(command.Host);
    }

    [Fact]
    public void NamedHostsFromTheConfiguration_AreNotTurnedIntoAFlag()
    {
        var placement = new Placement("web-1, web-2", 8081, Served("web-1, web-2", 8081));

        var command = placement.Apply(new DeployCommand("/app"), relocate: false, portConfigured: false, hostsConfigured: false);

        Assert.Null(command.Host);
        Assert.Equal(8081, command.Port);
    }

    [Fact]
    public void AnotherPort_IsRefusedNamingTheOneInUse()
    {
        var placement = new Placement("local", 8081, Served("local", 8081));

        var error = Assert.Throws<InvalidInputException>(() => placement.Apply(new DeployCommand("/app") { Port = 9000 }, relocate: false, portConfigured: false, hostsConfigured: false));

        Assert.StartsWith("--port 9000: shop (production) is served on port 8081 (deployment ", error.Message, StringComparison.Ordinal);
        Assert.Contains("--relocate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherHost_IsRefusedNamingTheOneInUse()
    {
        var placement = new Placement("local", 8081, Served("local", 8081));

        var error = Assert.Throws<InvalidInputException>(() => placement.Apply(new DeployCommand("/app") { Host = "ssh://deploy@203.0.113.10:22" }, relocate: false, portConfigured: false, hostsConfigured: false));

        Assert.StartsWith("--host ssh://deploy@203.0.113.10:22: shop (production) is served on local", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8081, "local")]
    [InlineData(8081, " local ")]
    public void TheSamePortAndHost_AreNotAMove(int port, string host)
    {
        var placement = new Placement("local", 8081, Served("local", 8081));

        var command = placement.Apply(new DeployCommand("/app") { Port = port, Host = host }, relocate: false, portConfigured: false, hostsConfigured: false);

        Assert.Equal(port, command.Port);
    }

    [Fact]
    public void Relocate_MovesTheApp()
    {
        var placement = new Placement("local", 8081, Served("local", 8081));

        var command = placement.Apply(new DeployCommand("/app") { Port = 9000 }, relocate: true, portConfigured: false, hostsConfigured: false);

        Assert.Equal(9000, command.Port);
    }

    [Fact]
    public async Task OfAsync_TakesTheNewestSucceededDeployment_NotPreviewsOrFailures()
    {
        var database = Path.Combine(_dir.FullName, "records.db");
        using var host = CliHostFactory.Isolated(database).Create(null, null, verbose: false);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        await store.AddAsync(Served("local", 8081, hour: 0), CancellationToken.None);
        await store.AddAsync(Served("local", 8082, hour: 1), CancellationToken.None);
        await store.AddAsync(Served("local", 8083, hour: 2, state: DeploymentState.Failed), CancellationToken.None);

        var placement = await Placement.OfAsync(store, "shop", "production", CancellationToken.None);

        Assert.Equal(8082, placement?.Port);
        Assert.Null(await Placement.OfAsync(store, "shop", "staging", CancellationToken.None));
    }

    [Fact]
    public async Task OfAsync_AfterTheAppWasRemoved_RemembersNothing()
    {
        // `app remove` ended the app there: a later deploy starts afresh, on any port, instead of being refused.
        var database = Path.Combine(_dir.FullName, "records.db");
        using var host = CliHostFactory.Isolated(database).Create(null, null, verbose: false);
        var store = host.Services.GetRequiredService<IDeploymentStore>();
        await store.AddAsync(Served("local", 8081, hour: 0), CancellationToken.None);
        var removal = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", At.AddHours(1)) { IsTeardown = true };
        removal.MoveTo(DeploymentState.Deploying, "removing the app shop", At.AddHours(1));
        removal.MoveTo(DeploymentState.Verifying, "removed", At.AddHours(1));
        removal.MoveTo(DeploymentState.Succeeded, "the app shop removed", At.AddHours(1));
        await store.AddAsync(removal, CancellationToken.None);

        Assert.Null(await Placement.OfAsync(store, "shop", "production", CancellationToken.None));

        await store.AddAsync(Served("local", 9000, hour: 2), CancellationToken.None);
        Assert.Equal(9000, (await Placement.OfAsync(store, "shop", "production", CancellationToken.None))?.Port);
    }

    [Theory]
    [InlineData("--port", "9000", "is served on port 8081")]
    [InlineData("--host", "ssh://deploy@203.0.113.10:22", "is served on local")]
    public async Task Deploy_AnotherPortOrHost_IsRefusedBeforeAnythingIsQueued_UnlessRelocate(string option, string value, string expected)
    {
        var database = Path.Combine(_dir.FullName, "records.db");
        File.WriteAllText(Path.Combine(_dir.FullName, "deploymind.yml"), "app: shop\n");
        using (var host = CliHostFactory.Isolated(database).Create(null, null, verbose: false))
        {
            await host.Services.GetRequiredService<IDeploymentStore>().AddAsync(Served("local", 8081), CancellationToken.None);
        }

        var (code, output) = await RunAsync(database, "deploy", _dir.FullName, "--queue", option, value);
        var (moved, movedOutput) = await RunAsync(database, "deploy", _dir.FullName, "--queue", option, value, "--relocate");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains(expected, output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(moved == ExitCodes.Success, movedOutput);
    }

    private static async Task<(int Code, string Output)> RunAsync(string database, params string[] args)
    {
        var console = new TestConsole().Width(400);
        var code = await DeployMindCli.RunAsync(args, console, CliHostFactory.Isolated(database), CancellationToken.None);
        return (code, console.Output);
    }

    private static Deployment Served(string hosts, int port, int hour = 0, DeploymentState state = DeploymentState.Succeeded)
    {
        var at = At.AddHours(hour);
        var deployment = new Deployment(Guid.NewGuid(), "shop", "production", StrategyKind.Rolling, "test", at);
        deployment.MoveTo(DeploymentState.Scanning, "scan", at);
        deployment.MoveTo(DeploymentState.Building, "build", at);
        deployment.MoveTo(DeploymentState.Deploying, "deploy", at);
        deployment.RecordRelease($"r{hour}", hosts, null, port);
        deployment.MoveTo(DeploymentState.Verifying, "verify", at);
        if (state == DeploymentState.Succeeded)
        {
            deployment.MoveTo(DeploymentState.Succeeded, "ok", at.AddMinutes(1));
        }
        else
        {
            deployment.Fail(PipelineStage.Verify, "verify failed", at.AddMinutes(1));
        }

        return deployment;
    }
}
