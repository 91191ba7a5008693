using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Processes;

public sealed class LocalProcessRunnerTests
{
    private readonly LocalProcessRunner _runner = new(NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);

    [Fact]
    public async Task RunAsync_Output_StreamsLinesInOrderAsTheyArrive()
    {
        var lines = new List<(OutputChannel Channel, string Text, DateTimeOffset At)>();
        var spec = CommandSpec.Create("sh", "-c", "echo one; sleep 0.3; echo two >&2; sleep 0.3; echo three");

        var result = await _runner.RunAsync(spec, l => lines.Add((l.Stream, l.Text, DateTimeOffset.UtcNow)), CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["one", "two", "three"], lines.Select(l => l.Text));
        Assert.Equal(OutputChannel.StandardError, lines[1].Channel);
        // Streamed, not delivered at exit: the first line arrived well before the last.
        Assert.True(lines[2].At - lines[0].At >= TimeSpan.FromMilliseconds(400), $"lines arrived together: {lines[2].At - lines[0].At}");
        Assert.Equal("one\nthree\n", result.StandardOutput);
        Assert.Equal("two\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_IsAResultNotAnException()
    {
        var result = await _runner.RunAsync(CommandSpec.Create("sh", "-c", "echo bad >&2; exit 7"), null, CancellationToken.None);

        Assert.Equal(7, result.ExitCode);
        Assert.False(result.Succeeded);
        var ex = Assert.Throws<CommandFailedException>(() => result.EnsureSuccess());
        Assert.Contains("exited with code 7", ex.Message, StringComparison.Ordinal);
        Assert.Contains("bad", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsTheWholeProcessTree()
    {
        using var cts = new CancellationTokenSource();
        var childPid = new TaskCompletionSource<int>();
        var spec = CommandSpec.Create("sh", "-c", "sleep 300 & echo $!; wait");

        var run = _runner.RunAsync(spec, l => childPid.TrySetResult(int.Parse(l.Text, System.Globalization.CultureInfo.InvariantCulture)), cts.Token);
        var pid = await childPid.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(IsRunning(pid));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(pid), $"child process {pid} (sleep 300) survived cancellation");
    }

    [Fact]
    public async Task RunAsync_Secrets_AreRedactedInStreamedAndCapturedOutput()
    {
        const string Secret = "s3cr3t-T0ken-value"; // deploymind:allow (test data)
        var streamed = new List<string>();
        var spec = CommandSpec.Create("sh", "-c", "echo token=$TOKEN; echo \"$TOKEN\" >&2")
            .WithEnvironment("TOKEN", Secret)
            .WithSecret(Secret);

        var result = await _runner.RunAsync(spec, l => streamed.Add(l.Text), CancellationToken.None);

        Assert.Equal(["token=***", "***"], streamed.Order(StringComparer.Ordinal).Reverse());
        Assert.DoesNotContain(Secret, result.StandardOutput + result.StandardError + result.Command, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ArgumentsWithShellCharacters_ArePassedVerbatim()
    {
        var result = await _runner.RunAsync(CommandSpec.Create("printf", "%s", "$(id); rm -rf / `x` 'q'"), null, CancellationToken.None);

        Assert.Equal("$(id); rm -rf / `x` 'q'", result.StandardOutput.TrimEnd('\n'));
    }

    [Fact]
    public async Task RunAsync_WorkingDirectoryAndStandardInput_AreHonoured()
    {
        var dir = Directory.CreateTempSubdirectory("dm-runner-");
        try
        {
            var spec = CommandSpec.Create("sh", "-c", "pwd; cat") with { WorkingDirectory = dir.FullName, StandardInput = "from stdin\n" };

            var result = await _runner.RunAsync(spec, null, CancellationToken.None);

            Assert.Equal($"{dir.FullName}\nfrom stdin\n", result.StandardOutput);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public async Task RunAsync_UnknownProgram_ThrowsCommandStartExceptionNamingIt()
    {
        var ex = await Assert.ThrowsAsync<CommandStartException>(
            () => _runner.RunAsync(CommandSpec.Create("deploymind-no-such-program", "x"), null, CancellationToken.None));

        Assert.Contains("deploymind-no-such-program", ex.Message, StringComparison.Ordinal);
    }

    private static bool IsRunning(int pid)
    {
        // /proc/<pid> exists until the process is reaped; a zombie counts as gone.
        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadAllText(status).Contains("State:\tZ", StringComparison.Ordinal);
    }
}
