using System.Diagnostics;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Processes;

public sealed class SshRemoteCommandTests
{
    private const string Nonce = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Render_Command_ExecsAPosixShellThatReportsItsProcessGroupFirst()
    {
        var line = SshRemoteCommand.Render(CommandSpec.Create("docker", "ps"), Nonce);

        Assert.Equal(
            "exec 'sh' '-c' ''\\''printf'\\'' '\\''%s %s\\n'\\'' '\\''deploymind-pgid:" + Nonce + "'\\'' \"$$\" >&2; '\\''docker'\\'' '\\''ps'\\''' </dev/null",
            line);
    }

    [Fact]
    public void Render_RunByAShell_PrintsTheProcessGroupLineOnStderr()
    {
        var (stdout, stderr, _) = RunShell(SshRemoteCommand.Render(CommandSpec.Create("echo", "hi"), Nonce));

        Assert.Equal("hi\n", stdout);
        Assert.True(SshRemoteCommand.TryReadProcessGroup(stderr.TrimEnd('\n'), Nonce, out var group), stderr);
        Assert.True(group > 1);
    }

    [Fact]
    public void Render_HostileArguments_ArriveVerbatimAndRunNothing()
    {
        var marker = Path.Combine(Path.GetTempPath(), "dm-pwned-" + Guid.NewGuid().ToString("N"));
        string[] hostile =
        [
            $"main;touch {marker}",
            $"$(touch {marker})",
            $"`touch {marker}`",
            $"' ; touch {marker} ; '",
            $"\" ; touch {marker} ; \"",
            $"x\ntouch {marker}",
            $"a && touch {marker} || b",
            "${HOME} $$ \\ ! * ~",
        ];
        var spec = CommandSpec.Create("printf", [.. new[] { "%s|" }, .. hostile]);

        var (stdout, _, exitCode) = RunShell(SshRemoteCommand.Render(spec, Nonce));

        Assert.Equal(0, exitCode);
        Assert.Equal(string.Concat(hostile.Select(h => h + "|")), stdout);
        Assert.False(File.Exists(marker), "a hostile argument ran as code");
    }

    [Fact]
    public void Render_WorkingDirectoryAndEnvironment_AreQuotedAsData()
    {
        var dir = Directory.CreateTempSubdirectory("dm it's $(x) ");
        try
        {
            var spec = CommandSpec.Create("sh", "-c", "pwd; printf '%s\\n' \"$TAG\" \"$EMPTY\"") with
            {
                WorkingDirectory = dir.FullName,
            };
            spec = spec.WithEnvironment("TAG", "v1 $(id) 'quoted'").WithEnvironment("EMPTY", string.Empty);

            var line = SshRemoteCommand.Render(spec, Nonce);
            var (stdout, _, exitCode) = RunShell(line, SshRemoteCommand.StandardInput(spec, Nonce));

            Assert.Contains(" && ", line, StringComparison.Ordinal);
            Assert.Equal(0, exitCode);
            Assert.Equal($"{dir.FullName}\nv1 $(id) 'quoted'\n\n", stdout);
        }
        finally
        {
            dir.Delete();
        }
    }

    [Fact]
    public void Render_Environment_ValuesNeverOnTheLineButReachTheCommand()
    {
        var value = "v-" + Guid.NewGuid().ToString("N") + " two\nlines 'q' $(id)";
        var spec = CommandSpec.Create("sh", "-c", "printf '%s' \"$API_KEY\"").WithEnvironment("API_KEY", value);

        var line = SshRemoteCommand.Render(spec, Nonce);
        var (stdout, _, exitCode) = RunShell(line, SshRemoteCommand.StandardInput(spec, Nonce));

        Assert.Equal(0, exitCode);
        Assert.Equal(value, stdout);
        Assert.DoesNotContain(value.Split(' ')[0], line, StringComparison.Ordinal);
        Assert.DoesNotContain("API_KEY=", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EnvironmentAndStandardInput_TheCommandReadsOnlyItsOwnInput()
    {
        var spec = (CommandSpec.Create("sh", "-c", "printf '%s|' \"$TAG\"; cat") with { StandardInput = "line one\nline two\n" })
            .WithEnvironment("TAG", "v1");

        var (stdout, _, exitCode) = RunShell(SshRemoteCommand.Render(spec, Nonce), SshRemoteCommand.StandardInput(spec, Nonce));

        Assert.Equal(0, exitCode);
        Assert.Equal("v1|line one\nline two\n", stdout);
    }

    [Fact]
    public void Render_MissingWorkingDirectory_FailsWithoutRunningTheCommand()
    {
        var spec = CommandSpec.Create("echo", "ran") with { WorkingDirectory = "/nonexistent/dm-" + Guid.NewGuid().ToString("N") };

        var (stdout, stderr, exitCode) = RunShell(SshRemoteCommand.Render(spec, Nonce));

        Assert.NotEqual(0, exitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("nonexistent", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_StandardInput_PassesThrough()
    {
        var spec = CommandSpec.Create("cat") with { StandardInput = "line 1\nline 2\n" };

        var (stdout, _, _) = RunShell(SshRemoteCommand.Render(spec, Nonce), spec.StandardInput);

        Assert.Equal("line 1\nline 2\n", stdout);
    }

    [Fact]
    public void Render_NoStandardInput_ReadsDevNull()
    {
        var spec = CommandSpec.Create("cat");

        Assert.EndsWith(" </dev/null", SshRemoteCommand.Render(spec, Nonce), StringComparison.Ordinal);
        Assert.DoesNotContain("/dev/null", SshRemoteCommand.Render(spec with { StandardInput = "x" }, Nonce), StringComparison.Ordinal);
    }

    [Fact]
    public void KillProcessGroup_Group_PassesItAsAnArgument()
    {
        var line = SshRemoteCommand.KillProcessGroup(4242);

        Assert.StartsWith("'sh' '-c' 'kill -s TERM -- \"-$1\"", line, StringComparison.Ordinal);
        Assert.EndsWith("' 'sh' '4242'", line, StringComparison.Ordinal);
        Assert.Contains("kill -s KILL", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-5)]
    public void KillProcessGroup_InitOrAllProcesses_IsRefused(int group)
    {
        // kill -- -1 would signal every process the user may signal; 0 is the caller's own group.
        Assert.Throws<ArgumentOutOfRangeException>(() => SshRemoteCommand.KillProcessGroup(group));
    }

    [Theory]
    [InlineData("deploymind-pgid:" + Nonce + " 1234", true, 1234)]
    [InlineData("deploymind-pgid:ffffffffffffffffffffffffffffffff 1234", false, 0)]
    [InlineData("deploymind-pgid:" + Nonce + " 1", false, 1)]
    [InlineData("deploymind-pgid:" + Nonce + " -1234", false, 0)]
    [InlineData("deploymind-pgid:" + Nonce + " 12x", false, 0)]
    [InlineData("some output", false, 0)]
    public void TryReadProcessGroup_Line_AcceptsOnlyThisRunsMarker(string line, bool expected, int group)
    {
        Assert.Equal(expected, SshRemoteCommand.TryReadProcessGroup(line, Nonce, out var read));
        if (expected)
        {
            Assert.Equal(group, read);
        }
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("KILL", 137)]
    [InlineData("INT", 130)]
    [InlineData(null, 255)]
    [InlineData("WEIRD", 255)]
    public void ExitCodeForSignal_Signal_IsShellStyle(string? signal, int expected)
    {
        Assert.Equal(expected, SshRemoteCommand.ExitCodeForSignal(signal));
    }

    private static (string Stdout, string Stderr, int ExitCode) RunShell(string line, string? input = null)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(line);
        using var process = Process.Start(psi)!;
        process.StandardInput.Write(input ?? string.Empty);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (stdout, stderr.Result, process.ExitCode);
    }

    [Fact]
    public void InteractiveClient_Tty_AsksForATerminalWithTheTargetsKeyPortAndKnownHosts()
    {
        var target = new SshTarget("deploy", "203.0.113.10", 2222) { PrivateKeyPath = "/keys/id", KnownHostsPath = "/keys/known_hosts" };

        var client = SshRemoteCommand.InteractiveClient(target, CommandSpec.Create("docker", "exec", "--interactive", "--tty", "shop-r1", "sh"), tty: true);

        Assert.Equal("ssh", client.Program);
        Assert.Equal(
            ["-t", "-i", "/keys/id", "-p", "2222", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=15", "-o", "LogLevel=ERROR",
             "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/keys/known_hosts", "-l", "deploy", "203.0.113.10", "--",
             "exec 'docker' 'exec' '--interactive' '--tty' 'shop-r1' 'sh'"],
            client.Arguments);
    }

    [Fact]
    public void InteractiveClient_NoTtyAndNoStrictChecking_DisablesTheTerminalAndWritesNoKnownHosts()
    {
        var target = new SshTarget("deploy", "web-1") { StrictHostKeyChecking = false };

        var client = SshRemoteCommand.InteractiveClient(target, CommandSpec.Create("docker", "exec", "--interactive", "c", "sh", "-c", "echo $(id); exit 3"), tty: false);

        Assert.Equal("-T", client.Arguments[0]);
        Assert.Contains("StrictHostKeyChecking=no", client.Arguments);
        Assert.Contains("UserKnownHostsFile=/dev/null", client.Arguments);
        Assert.Equal("exec 'docker' 'exec' '--interactive' 'c' 'sh' '-c' 'echo $(id); exit 3'", client.Arguments[^1]);
    }

    [Fact]
    public void InteractiveClient_CommandWithEnvironment_IsRefused()
    {
        var target = new SshTarget("deploy", "web-1");

        Assert.Throws<ArgumentException>(() => SshRemoteCommand.InteractiveClient(target, CommandSpec.Create("env").WithEnvironment("TOKEN", "s3cret"), tty: true));
    }
}
