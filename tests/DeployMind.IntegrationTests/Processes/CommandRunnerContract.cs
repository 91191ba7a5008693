using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Logging;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// What every <see cref="ICommandRunner"/> promises, run against each of them by a subclass: exit codes, separate
/// streamed output, input, arguments and environment as data, working directory, cancellation and timeouts that
/// really stop the process tree, output of any size, start failures and secrets. Where a runner legitimately differs
/// it says so in <see cref="Capabilities"/>, and the contract checks what it says.
/// </summary>
/// <remarks>
/// The remote runners under test reach this machine (the test sshd listens on 127.0.0.1), so the contract may share
/// files with the command it runs; processes are still checked through the runner itself, as a user would.
/// </remarks>
public abstract class CommandRunnerContract : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly CapturingLoggerProvider _logs = new();
    private readonly LoggerFactory _loggers;
    private readonly List<ICommandRunner> _created = [];
    private readonly DirectoryInfo _temp;
    private ICommandRunner? _runner;

    protected CommandRunnerContract()
    {
        _loggers = new LoggerFactory([_logs], new LoggerFilterOptions { MinLevel = LogLevel.Trace });

        // Readable by every user: a runner may run its commands as someone else (see UnprivilegedRunner).
        _temp = Directory.CreateTempSubdirectory("dm-runner-");
        MakeShared(_temp.FullName);
    }

    /// <summary>Where this runner differs from the others, as the contract checks it.</summary>
    protected abstract RunnerCapabilities Capabilities { get; }

    /// <summary>The runner under test, logging to <paramref name="loggers"/>; <paramref name="commandTimeout"/> only when <see cref="RunnerCapabilities.CommandTimeout"/>.</summary>
    protected abstract ICommandRunner CreateRunner(ILoggerFactory loggers, TimeSpan? commandTimeout);

    /// <summary>The runner most tests use (created on first use, disposed with the test).</summary>
    protected ICommandRunner Runner => _runner ??= Create(commandTimeout: null);

    /// <summary>Everything the runners of this test logged, at every level.</summary>
    protected string Logs => _logs.Text;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Name_Always_IsNotBlank()
    {
        Assert.False(string.IsNullOrWhiteSpace(Runner.Name));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(255)]
    public async Task RunAsync_ExitCode_IsTheResultNotAnException(int code)
    {
        var result = await RunAsync(CommandSpec.Create("sh", "-c", "exit \"$1\"", "sh", code.ToString(CultureInfo.InvariantCulture)));

        Assert.Equal(code, result.ExitCode);
        Assert.Equal(code == 0, result.Succeeded);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_EnsureSuccessNamesTheCommandCodeAndError()
    {
        var result = await RunAsync(CommandSpec.Create("sh", "-c", "echo out; echo bad thing >&2; exit 7"));

        // A wrapping runner may show what it really ran around the command (runuser -u nobody -- ...).
        var ex = Assert.Throws<CommandFailedException>(() => result.EnsureSuccess());
        Assert.IsAssignableFrom<DeployMindException>(ex);
        Assert.Contains("sh -c 'echo out; echo bad thing >&2; exit 7'` exited with code 7", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(": bad thing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_KilledBySignal_IsExitCode128PlusTheSignal()
    {
        var result = await RunAsync(CommandSpec.Create("sh", "-c", "kill -KILL $$"));

        Assert.Equal(137, result.ExitCode);
    }

    [Fact]
    public async Task RunAsync_Output_StreamsEachLineAsItArrivesOnItsOwnChannel()
    {
        if (!Capabilities.LiveOutput)
        {
            // Delivered once the command has ended: every line, each on its own channel, standard output first.
            var delivered = new List<OutputLine>();
            var ended = await RunAsync(CommandSpec.Create("sh", "-c", "echo one; echo two >&2; echo three"), delivered.Add);
            Assert.Equal(
                [new(OutputChannel.StandardOutput, "one"), new(OutputChannel.StandardOutput, "three"), new OutputLine(OutputChannel.StandardError, "two")],
                delivered);
            Assert.Equal("one\nthree\n", ended.StandardOutput);
            Assert.Equal("two\n", ended.StandardError);
            return;
        }

        // The command goes on only once the test has received its previous line: output delivered at exit deadlocks
        // (and fails on the timeout) instead of passing by luck of timing.
        var first = Path.Combine(_temp.FullName, "got-one");
        var second = Path.Combine(_temp.FullName, "got-two");
        var lines = new List<OutputLine>();
        var spec = CommandSpec.Create(
            "sh", "-c", "echo one; until [ -e \"$1\" ]; do sleep 0.05; done; echo two >&2; until [ -e \"$2\" ]; do sleep 0.05; done; echo three",
            "sh", first, second);

        var result = await RunAsync(spec, line =>
        {
            lock (lines)
            {
                lines.Add(line);
            }

            if (line.Text == "one")
            {
                File.WriteAllText(first, string.Empty);
            }
            else if (line.Text == "two")
            {
                File.WriteAllText(second, string.Empty);
            }
        });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            [new(OutputChannel.StandardOutput, "one"), new(OutputChannel.StandardError, "two"), new OutputLine(OutputChannel.StandardOutput, "three")],
            lines);
        Assert.Equal("one\nthree\n", result.StandardOutput);
        Assert.Equal("two\n", result.StandardError);
    }

    [Fact]
    public async Task RunAsync_EmptyLinesAndNoFinalNewline_EveryLineKept()
    {
        var lines = new List<string>();

        var result = await RunAsync(CommandSpec.Create("printf", "a\\n\\n  b  \\nc"), line => lines.Add(line.Text));

        Assert.Equal(["a", string.Empty, "  b  ", "c"], lines);
        Assert.Equal("a\n\n  b  \nc\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_LargeOutputOnBothStreamsAtOnce_NothingLostOrTruncated()
    {
        var streamed = new int[2];
        var spec = CommandSpec.Create("sh", "-c", "seq 1 200000 & seq 1 100000 >&2; wait");

        var result = await RunAsync(spec, line => Interlocked.Increment(ref streamed[(int)line.Stream])).WaitAsync(Patience);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(200_000, streamed[(int)OutputChannel.StandardOutput]);
        Assert.Equal(100_000, streamed[(int)OutputChannel.StandardError]);
        Assert.Equal(Numbers(200_000), result.StandardOutput);
        Assert.Equal(Numbers(100_000), result.StandardError);

        static string Numbers(int count) => string.Concat(Enumerable.Range(1, count).Select(i => i.ToString(CultureInfo.InvariantCulture) + "\n"));
    }

    [Fact]
    public async Task RunAsync_OneMegabyteLine_ArrivesWhole()
    {
        var lines = new List<string>();

        var result = await RunAsync(CommandSpec.Create("sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x; echo; echo end"), line => lines.Add(line.Text));

        Assert.Equal(2, lines.Count);
        Assert.Equal(new string('x', 1_048_576), lines[0]);
        Assert.Equal("end", lines[1]);
        Assert.Equal(1_048_576 + "\nend\n".Length, result.StandardOutput.Length);
    }

    [Fact]
    public async Task RunAsync_Utf8_RoundTripsThroughArgumentsAndOutput()
    {
        const string Text = "héllo ✓ 日本 🚀";
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>(); // two streams, two readers

        var result = await RunAsync(CommandSpec.Create("sh", "-c", "printf '%s\\n' \"$1\"; printf '%s\\n' \"$1\" >&2", "sh", Text), line => lines.Enqueue(line.Text));

        Assert.Equal(Text + "\n", result.StandardOutput);
        Assert.Equal(Text + "\n", result.StandardError);
        Assert.Equal([Text, Text], lines);
    }

    [Fact]
    public async Task RunAsync_HostileArguments_ArriveVerbatimAndRunNothing()
    {
        var marker = Path.Combine(_temp.FullName, "pwned");
        string[] hostile =
        [
            $"main;touch {marker}",
            $"$(touch {marker})",
            $"`touch {marker}`",
            $"'; touch {marker}; '",
            $"\"; touch {marker}; \"",
            $"x\ntouch {marker}",
            $"a && touch {marker} || b | c > {marker}",
            "${HOME} $$ $1 \\ ! * ? ~ # %s",
            "  two  spaces  ",
            "tab\there",
            "line one\nline two\n",
            "-n",
            "--",
            "it's",
            string.Empty,
        ];

        var result = await RunAsync(CommandSpec.Create("printf", ["[%s]", .. hostile]));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(hostile.Select(h => $"[{h}]")), result.StandardOutput.TrimEnd('\n'));
        Assert.False(File.Exists(marker), "a hostile argument ran as code");
    }

    [Fact]
    public async Task RunAsync_ProgramPathWithSpacesAndQuotes_IsStarted()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp.FullName, "it's a $(dir) `x`"));
        MakeShared(dir.FullName);
        var program = Path.Combine(dir.FullName, "say hi.sh");
        await File.WriteAllTextAsync(program, "#!/bin/sh\nprintf 'hi %s\\n' \"$1\"\n");
        MakeShared(program);

        var result = await RunAsync(CommandSpec.Create(program, "there"));

        Assert.Equal("hi there\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_Environment_ReachesTheCommandVerbatim()
    {
        const string Hostile = "v1.2 $(id) `id` 'q' \"dq\" \\ ${HOME}\nsecond line";
        var spec = CommandSpec.Create("sh", "-c", "printf '%s|%s|%s' \"$APP_TAG\" \"$OTHER\" \"$EMPTY\"")
            .WithEnvironment("APP_TAG", Hostile)
            .WithEnvironment("OTHER", "second")
            .WithEnvironment("EMPTY", string.Empty);

        var result = await RunAsync(spec);

        Assert.Equal($"{Hostile}|second|\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_WorkingDirectory_RunsThere()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp.FullName, "it's a $(dir)"));
        MakeShared(dir.FullName);

        var result = await RunAsync(CommandSpec.Create("pwd") with { WorkingDirectory = dir.FullName });

        Assert.Equal(dir.FullName + "\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_MissingWorkingDirectory_ReportedNamingIt()
    {
        var dir = Path.Combine(_temp.FullName, "no such dir");
        var marker = Path.Combine(_temp.FullName, "ran");
        var spec = CommandSpec.Create("touch", marker) with { WorkingDirectory = dir };

        if (Capabilities.MissingWorkingDirectory == StartFailureReport.Throws)
        {
            var ex = await Assert.ThrowsAsync<CommandStartException>(() => RunAsync(spec));
            Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
            Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
        }
        else
        {
            var result = await RunAsync(spec);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(dir, result.StandardError, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(marker), "the command ran somewhere else");
    }

    [Fact]
    public async Task RunAsync_MissingProgram_ReportedNamingIt()
    {
        var program = "dm-no-such-program-" + Guid.NewGuid().ToString("N");
        var spec = CommandSpec.Create(program, "x");

        if (Capabilities.MissingProgram == StartFailureReport.Throws)
        {
            var ex = await Assert.ThrowsAsync<CommandStartException>(() => RunAsync(spec));
            Assert.Contains(program, ex.Message, StringComparison.Ordinal);
        }
        else
        {
            var result = await RunAsync(spec);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(program, result.StandardError, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunAsync_StandardInput_ReachesTheCommand()
    {
        var spec = CommandSpec.Create("sh", "-c", "while IFS= read -r line; do echo \"got: $line\"; done") with
        {
            StandardInput = "first line\nsecond 'line' $(id) `id` ✓\n",
        };

        var result = await RunAsync(spec);

        Assert.Equal("got: first line\ngot: second 'line' $(id) `id` ✓\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_LargeStandardInput_ArrivesWhole()
    {
        var input = string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i} of the input\n"));
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)));

        var result = await RunAsync(CommandSpec.Create("sha256sum") with { StandardInput = input }).WaitAsync(Patience);

        Assert.Equal(expected + "  -\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_InputTheCommandNeverReads_StillCompletes()
    {
        var spec = CommandSpec.Create("sh", "-c", "echo done") with { StandardInput = new string('x', 1_000_000) };

        var result = await RunAsync(spec).WaitAsync(Patience);

        Assert.Equal("done\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_NoStandardInput_CommandSeesEndOfInput()
    {
        var result = await RunAsync(CommandSpec.Create("cat")).WaitAsync(Patience);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_ConcurrentCommands_RunSideBySide()
    {
        // Each command waits for a file the test writes once all four have started: a runner that ran them one
        // after the other would never get there.
        const int Count = 4;
        var go = Path.Combine(_temp.FullName, "go");
        var ready = 0;
        void OnOutput(OutputLine line)
        {
            if (line.Text == "ready" && Interlocked.Increment(ref ready) == Count)
            {
                File.WriteAllText(go, string.Empty);
            }
        }

        var runs = Task.WhenAll(Enumerable.Range(0, Count).Select(i => RunAsync(
            CommandSpec.Create("sh", "-c", "touch \"$1.ready$2\"; echo ready; until [ -e \"$1\" ]; do sleep 0.05; done; echo \"$2\"", "sh", go, i.ToString(CultureInfo.InvariantCulture)),
            Capabilities.LiveOutput ? OnOutput : null)));
        if (!Capabilities.LiveOutput)
        {
            // Output arrives at the end: the commands say they started through files instead.
            await WaitForFilesAsync(Enumerable.Range(0, Count).Select(i => $"{go}.ready{i}"));
            await File.WriteAllTextAsync(go, string.Empty);
        }

        var results = await runs.WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"ready\n{i}\n"), results.Select(r => r.StandardOutput));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_Cancelled_KillsTheProcessAndItsChildren(bool ignoresTerm)
    {
        using var cts = new CancellationTokenSource();
        var child = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pidFile = Path.Combine(_temp.FullName, "child.pid");
        var script = (ignoresTerm ? "trap '' TERM; " : string.Empty) + "sleep 3001 & echo $! > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; echo $!; wait; echo never";

        var run = RunAsync(CommandSpec.Create("sh", "-c", script, "sh", pidFile), line => child.TrySetResult(int.Parse(line.Text, CultureInfo.InvariantCulture)), cts.Token);
        var pid = await ChildPidAsync(child.Task, pidFile);
        Assert.True(await IsRunningAsync(pid), $"the command's child {pid} is not running");
        var cancelledAt = Stopwatch.GetTimestamp();
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.True(Stopwatch.GetElapsedTime(cancelledAt) < TimeSpan.FromSeconds(10), "cancellation took too long");
        Assert.False(await WaitUntilGoneAsync(pid), $"the command's child {pid} (sleep 3001) survived the cancellation");
    }

    [Fact]
    public async Task RunAsync_AlreadyCancelled_ThrowsWithoutRunning()
    {
        var marker = Path.Combine(_temp.FullName, "ran");
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(CommandSpec.Create("touch", marker), null, cts.Token));

        Assert.False(File.Exists(marker), "a cancelled command ran");
    }

    [Fact]
    public async Task RunAsync_OutputCallbackThrows_RethrowsAndKillsTheProcess()
    {
        if (!Capabilities.LiveOutput)
        {
            // The lines arrive after the end, so there is nothing left to kill: the callback's exception is rethrown, no line follows it.
            var calls = 0;
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(CommandSpec.Create("sh", "-c", "echo 1; echo 2"), line =>
            {
                calls++;
                throw new InvalidOperationException("callback failed on " + line.Text);
            }).WaitAsync(Patience));
            Assert.Equal("callback failed on 1", failed.Message);
            Assert.Equal(1, calls);
            return;
        }

        var pid = 0;
        var spec = CommandSpec.Create("sh", "-c", "sleep 3001 & echo $!; wait");

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => RunAsync(spec, line =>
        {
            pid = int.Parse(line.Text, CultureInfo.InvariantCulture);
            throw new InvalidOperationException("callback failed on " + line.Text);
        }).WaitAsync(Patience));

        Assert.Equal($"callback failed on {pid}", ex.Message);
        Assert.False(await WaitUntilGoneAsync(pid), $"the command's child {pid} survived the failed callback");
    }

    [Fact]
    public async Task RunAsync_CommandTimeout_KillsTheProcessOnlyWhenTheRunnerHasOne()
    {
        var timeout = TimeSpan.FromSeconds(1.5);
        if (!Capabilities.CommandTimeout)
        {
            // No deadline of its own: a command longer than the others' deadline runs to its end (callers pass a token).
            var result = await RunAsync(CommandSpec.Create("sh", "-c", "sleep 2; echo finished"));
            Assert.Equal("finished\n", result.StandardOutput);
            return;
        }

        var runner = Create(timeout);
        var child = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var pidFile = Path.Combine(_temp.FullName, "timeout-child.pid");
        var run = runner.RunAsync(
            CommandSpec.Create("sh", "-c", "sleep 3001 & echo $! > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; echo $!; wait", "sh", pidFile),
            line => child.TrySetResult(int.Parse(line.Text, CultureInfo.InvariantCulture)),
            CancellationToken.None);
        var pid = await ChildPidAsync(child.Task, pidFile);

        var ex = await Assert.ThrowsAnyAsync<DeployMindException>(() => run.WaitAsync(Patience));
        Assert.Contains("1.5 s", ex.Message, StringComparison.Ordinal);
        Assert.Contains("killed", ex.Message, StringComparison.Ordinal);
        Assert.False(await WaitUntilGoneAsync(pid), $"the command's child {pid} survived the timeout");
    }

    [Fact]
    public async Task RunAsync_Secrets_NeverInOutputResultErrorsOrLogs()
    {
        const string Secret = "ghp_C0ntractT3stTokenValue"; // deploymind:allow (test data)
        var streamed = new System.Collections.Concurrent.ConcurrentQueue<string>(); // two streams, two readers
        var spec = CommandSpec.Create("sh", "-c", "echo \"token=$TOKEN\"; echo \"auth failed for $1\" >&2; exit 3", "sh", Secret)
            .WithEnvironment("TOKEN", Secret)
            .WithSecret(Secret);

        var result = await RunAsync(spec, line => streamed.Enqueue(line.Text));

        Assert.Equal(["auth failed for ***", "token=***"], streamed.Order(StringComparer.Ordinal));
        Assert.Equal("token=***\n", result.StandardOutput);
        Assert.Equal("auth failed for ***\n", result.StandardError);
        Assert.EndsWith("sh -c 'echo \"token=$TOKEN\"; echo \"auth failed for $1\" >&2; exit 3' sh ***", result.Command, StringComparison.Ordinal);
        var ex = Assert.Throws<CommandFailedException>(() => result.EnsureSuccess());
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("auth failed for ***", Logs, StringComparison.Ordinal); // output is logged (Trace), redacted
        Assert.DoesNotContain(Secret, Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecretsInACommandThatFails_NeverInTheErrorOrLogs()
    {
        const string Secret = "ghp_C0ntractT3stTokenValue"; // deploymind:allow (test data)
        var missing = CommandSpec.Create("dm-no-such-program", "--token", Secret).WithSecret(Secret);
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedFile = Path.Combine(_temp.FullName, "started");
        var slow = CommandSpec.Create("sh", "-c", "echo started; touch \"$2\"; sleep 3001", "sh", Secret, startedFile).WithSecret(Secret);

        var failure = await Record.ExceptionAsync(async () =>
        {
            var result = await RunAsync(missing);
            Assert.DoesNotContain(Secret, result.Command + result.StandardOutput + result.StandardError, StringComparison.Ordinal);
            result.EnsureSuccess();
        });
        var run = RunAsync(slow, _ => started.TrySetResult(), cts.Token);
        await (Capabilities.LiveOutput ? started.Task : WaitForFilesAsync([startedFile])).WaitAsync(Patience);
        await cts.CancelAsync();
        var cancelled = await Record.ExceptionAsync(() => run);

        Assert.IsAssignableFrom<DeployMindException>(failure);
        Assert.DoesNotContain(Secret, failure.ToString(), StringComparison.Ordinal);
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);
        Assert.DoesNotContain(Secret, cancelled.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Logs, StringComparison.Ordinal);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        foreach (var runner in _created)
        {
            (runner as IDisposable)?.Dispose();
        }

        _loggers.Dispose();
        _logs.Dispose();
        try
        {
            _temp.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file written by another user may linger in /tmp; harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private ICommandRunner Create(TimeSpan? commandTimeout)
    {
        var runner = CreateRunner(_loggers, commandTimeout);
        _created.Add(runner);
        return runner;
    }

    private Task<CommandResult> RunAsync(CommandSpec spec, Action<OutputLine>? onOutput = null, CancellationToken cancellationToken = default) =>
        Runner.RunAsync(spec, onOutput, cancellationToken);

    /// <summary>
    /// The PID a command printed (and wrote to <paramref name="pidFile"/>): from its output line when the runner streams, else
    /// from the file, since a runner without live output delivers the line only when the command has ended.
    /// </summary>
    private async Task<int> ChildPidAsync(Task<int> fromOutput, string pidFile)
    {
        if (Capabilities.LiveOutput)
        {
            return await fromOutput.WaitAsync(Patience);
        }

        await WaitForFilesAsync([pidFile]);
        return int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Waits (at most <see cref="Patience"/>) until every one of <paramref name="paths"/> exists.</summary>
    private static async Task WaitForFilesAsync(IEnumerable<string> paths)
    {
        var all = paths.ToList();
        var started = Stopwatch.GetTimestamp();
        while (!all.All(File.Exists))
        {
            Assert.True(Stopwatch.GetElapsedTime(started) < Patience, $"the command never wrote {string.Join(", ", all.Where(p => !File.Exists(p)))}");
            await Task.Delay(50);
        }
    }

    /// <summary>Whether process <paramref name="pid"/> runs where the runner runs commands (asked through the runner; a zombie counts as gone).</summary>
    private async Task<bool> IsRunningAsync(int pid)
    {
        const string Script = "[ -r \"/proc/$1/status\" ] || exit 1; grep -q '^State:[[:space:]]*Z' \"/proc/$1/status\" && exit 1; exit 0";
        var result = await RunAsync(CommandSpec.Create("sh", "-c", Script, "sh", pid.ToString(CultureInfo.InvariantCulture)));
        return result.ExitCode == 0;
    }

    /// <summary>Polls until <paramref name="pid"/> is gone (a killed process takes a moment to be reaped); whether it still runs.</summary>
    private async Task<bool> WaitUntilGoneAsync(int pid)
    {
        var started = Stopwatch.GetTimestamp();
        bool running;
        while ((running = await IsRunningAsync(pid)) && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(100);
        }

        return running;
    }

    /// <summary>Mode 0777: a runner may run its commands as another user (see UnprivilegedRunner).</summary>
    private static void MakeShared(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
    }
}
