using DeployMind.Cli;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Cli;

/// <summary>
/// `deploymind app exec -i/-t` as a user runs it: the CLI process under a pseudo-terminal (`script`), or fed by a pipe,
/// against a real container on this machine and through the test sshd (which reaches the same Docker engine).
/// </summary>
public sealed class AppExecInteractiveCliTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _home = new();
    private readonly TempFolder _app = new();
    private readonly DeploymindProcesses _cli;

    public AppExecInteractiveCliTests()
    {
        SshTestServer.EnsureRunning();
        _cli = new DeploymindProcesses(new Dictionary<string, string> { ["DEPLOYMIND_HOME"] = _home.Path });
    }

    private string AppName { get; } = "dmit-exec-" + Guid.NewGuid().ToString("N")[..8];

    private static string Ssh => $"ssh://{SshTestServer.User}@{SshTestServer.Host}:{SshTestServer.Port}";

    private static string SshHost(string name) => $"{{ name: {name}, ssh: \"{Ssh}\", key: {SshTestServer.PrivateKey}, knownHosts: {SshTestServer.KnownHosts} }}";

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "deploymind.dll");

    public async Task InitializeAsync()
    {
        // A running container of the app, as a deploy leaves it (nothing in the records: every running one counts).
        var started = await Docker.RunAsync(
            "run", "--detach", "--name", $"{AppName}-r1", "--network", "host", "--label", $"io.deploymind.app={AppName}", "--label", "io.deploymind.release=r1",
            "deploymind-base/debian:bookworm", "sleep", "600");
        Assert.True(started.Succeeded, started.StandardError);
    }

    public async Task DisposeAsync()
    {
        await Docker.RemoveContainerAsync($"{AppName}-r1");
        Dispose();
    }

    public void Dispose()
    {
        _cli.Dispose();
        _app.Dispose();
        _home.Dispose();
    }

    [Fact]
    public async Task ExecIt_LocalHost_RunsWithATerminalAndExitsWithTheCommandsCode()
    {
        Configure("target: { docker: { port: 8080 } }");

        var result = await InTerminalAsync("app", "exec", "-it", _app.Path, "--", "sh", "-c", "test -t 0 && test -t 1 && echo tty:yes; echo user:$(id -u); exit 5");

        Assert.True(result.ExitCode == 5, result.StandardOutput + result.StandardError);
        Assert.Contains("tty:yes", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("user:0", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecIt_NoCommand_StartsAShellThatReadsTheTerminal()
    {
        Configure("target: { docker: { port: 8080 } }");

        // What is typed into the terminal reaches the shell; its exit code is the CLI's.
        var result = await InTerminalAsync("app", "exec", "-it", _app.Path);

        Assert.True(result.ExitCode == 6, result.StandardOutput + result.StandardError);
        Assert.Contains("typed:42", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecIt_SshHost_GetsATerminalOnTheHostAndTheRemoteExitCode()
    {
        Configure($"target: {{ docker: {{ port: 8080, hosts: [ {SshHost("loop")} ] }} }}");

        var result = await InTerminalAsync("app", "exec", "-it", _app.Path, "--verbose", "--", "sh", "-c", "test -t 0 && echo tty:yes; exit 7");

        Assert.True(result.ExitCode == 7, result.StandardOutput + result.StandardError);
        Assert.Contains("tty:yes", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("interactive, ssh client", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecIt_AppOnTwoHosts_IsRefusedListingThem_AndHostPicksOne()
    {
        // Both hosts reach the same engine, so the app runs on both.
        Configure($"target: {{ docker: {{ port: 8080, hosts: [ {{ name: local }}, {SshHost("loop")} ] }} }}");

        var refused = await InTerminalAsync("app", "exec", "-it", _app.Path, "--", "true");
        var picked = await InTerminalAsync("app", "exec", "-it", _app.Path, "--host", "loop", "--", "sh", "-c", "exit 3");

        Assert.Equal(ExitCodes.InvalidInput, refused.ExitCode);
        // The terminal is 80 columns wide: the message is wrapped there.
        var message = System.Text.RegularExpressions.Regex.Replace(refused.StandardOutput, @"\s+", " ");
        Assert.Contains($"{AppName} (production) runs on local, loop: name the host for the session with --host", message, StringComparison.Ordinal);
        Assert.True(picked.ExitCode == 3, picked.StandardOutput + picked.StandardError);
    }

    [Fact]
    public async Task ExecI_PipedInput_ReachesTheCommandLocallyAndOverSsh()
    {
        foreach (var hosts in new[] { "[ { name: local } ]", $"[ {SshHost("loop")} ]" })
        {
            Configure($"target: {{ docker: {{ port: 8080, hosts: {hosts} }} }}");

            var result = await PipedAsync("echo piped:$((40 + 2))\nexit 4\n", "app", "exec", "-i", _app.Path, "--", "sh");

            Assert.True(result.ExitCode == 4, hosts + ": " + result.StandardOutput + result.StandardError);
            Assert.Contains("piped:42", result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ExecT_WithoutATerminal_IsRefused()
    {
        Configure("target: { docker: { port: 8080 } }");

        var result = await PipedAsync("exit 0\n", "app", "exec", "-it", _app.Path);

        Assert.Equal(ExitCodes.InvalidInput, result.ExitCode);
        Assert.Contains("stdin is not a terminal; drop -t or run from a terminal", result.StandardError + result.StandardOutput, StringComparison.Ordinal);
    }

    private void Configure(string environment) =>
        File.WriteAllText(Path.Combine(_app.Path, "deploymind.yml"), $"app: {AppName}\nenvironments:\n  production:\n    {environment}\n");

    /// <summary>The CLI under a pseudo-terminal (`script`), as from a user's terminal; a shell left waiting gets a line typed into it.</summary>
    private Task<CommandResult> InTerminalAsync(params string[] args)
    {
        var line = string.Join(' ', new[] { "dotnet", Dll }.Concat(args).Select(ShellQuote.Quote));
        var spec = CommandSpec.Create("script", "--quiet", "--return", "--command", line, "/dev/null") with { StandardInput = "echo typed:$((40 + 2)); exit 6\n" };
        return RunAsync(spec);
    }

    /// <summary>The CLI with <paramref name="input"/> piped into it (no terminal).</summary>
    private Task<CommandResult> PipedAsync(string input, params string[] args) =>
        RunAsync(new CommandSpec("dotnet", [Dll, .. args]) with { StandardInput = input });

    private async Task<CommandResult> RunAsync(CommandSpec spec)
    {
        foreach (var (name, value) in _cli.Environment)
        {
            spec = spec.WithEnvironment(name, value);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await Docker.Runner.RunAsync(spec, null, timeout.Token);
    }
}
