using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Shipping;

/// <summary>
/// `deploymind` ships as a .NET tool: `dotnet pack` of the CLI into a folder, `dotnet tool install` from that folder
/// (no other source is needed: the package carries its dependencies), and the installed command answers. Packing takes
/// minutes on a busy machine (Duration=minutes; bounded at 15).
/// </summary>
public sealed class DotnetToolTests
{
    [Fact]
    [Trait("Duration", "minutes")]
    public async Task Pack_ThenToolInstallFromTheFolder_InstallsACommandThatAnswersVersion()
    {
        using var feed = new TempFolder();
        using var tools = new TempFolder();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        var runner = Docker.Runner;

        var pack = await runner.RunAsync(
            CommandSpec.Create("dotnet", "pack", Path.Combine(Repo.Root, "src", "DeployMind.Cli"), "-c", "Release", "-o", feed.Path, "-nologo", "-v", "quiet"), null, deadline.Token);
        Assert.True(pack.Succeeded, pack.StandardOutput + pack.StandardError);
        var package = Assert.Single(Directory.GetFiles(feed.Path, "deploymind.*.nupkg"));

        var install = await runner.RunAsync(
            CommandSpec.Create("dotnet", "tool", "install", "--tool-path", tools.Path, "deploymind", "--add-source", feed.Path, "--ignore-failed-sources"), null, deadline.Token);
        Assert.True(install.Succeeded, install.StandardOutput + install.StandardError);
        Assert.Contains("Tool 'deploymind'", install.StandardOutput, StringComparison.Ordinal);

        var version = await runner.RunAsync(CommandSpec.Create(Path.Combine(tools.Path, "deploymind"), "--version"), null, deadline.Token);
        Assert.True(version.Succeeded, version.StandardError);
        var packageVersion = Path.GetFileNameWithoutExtension(package)["deploymind.".Length..];
        Assert.StartsWith(packageVersion, version.StandardOutput.Trim(), StringComparison.Ordinal);

        // The installed command is the real CLI: its help lists the commands.
        var help = await runner.RunAsync(CommandSpec.Create(Path.Combine(tools.Path, "deploymind"), "--help"), null, deadline.Token);
        Assert.Contains("deploy", help.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("token", help.StandardOutput, StringComparison.Ordinal);
    }
}
