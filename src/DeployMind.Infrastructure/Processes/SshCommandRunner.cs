using System.Runtime.ExceptionServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Renci.SshNet;
using SshNetConnectionException = Renci.SshNet.Common.SshConnectionException;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// Runs commands on a remote host over SSH (SSH.NET): one connection per runner, opened on first use, shared by
/// concurrent commands (one channel each) and reopened if it dropped. Each <see cref="CommandSpec"/> becomes one
/// quoted shell line (<see cref="SshRemoteCommand"/>); output is streamed line by line, redacted, and captured.
/// Cancellation and <see cref="SshTarget.CommandTimeout"/> kill the remote process group, not just the channel.
/// </summary>
internal sealed partial class SshCommandRunner : IStreamingCommandRunner, IInteractiveCommandRunner, IDisposable, IAsyncDisposable
{
    // sshd allows 10 channels per connection by default (MaxSessions). Commands use at most 8 at a time, so the
    // channel that kills a cancelled command always finds a free slot instead of queueing behind the commands.
    private const int MaxSessions = 10;
    private const int MaxConcurrentCommands = 8;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly SshTarget _target;
    private readonly ILogger<SshCommandRunner> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _commandSlots = new(MaxConcurrentCommands, MaxConcurrentCommands);

    public SshCommandRunner(SshTarget target, ILogger<SshCommandRunner> logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        _logger = logger;
        _time = time;
        if (!target.StrictHostKeyChecking)
        {
            LogHostKeyCheckingOff(target.HostAndPort);
        }
    }

    public string Name => $"ssh {_target.Address}";

    public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken) =>
        RunWithInputAsync(command, onOutput, null, cancellationToken);

    /// <summary>
    /// Standard input streams through the channel as <paramref name="writeInput"/> writes it (after the command's environment
    /// lines, as for text input). Standard output as bytes is not offered: the channel's output is read line by line.
    /// </summary>
    public Task<CommandResult> RunStreamingAsync(
        CommandSpec command, Func<Stream, CancellationToken, Task>? writeInput, Func<Stream, CancellationToken, Task>? readOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (readOutput is not null)
        {
            throw new NotSupportedException($"{Name} reads a command's output as lines; it cannot hand it on as bytes.");
        }

        if (command.StandardInput is not null && writeInput is not null)
        {
            throw new ArgumentException("A streamed command takes its input from the writer; its StandardInput must be null.", nameof(command));
        }

        return RunWithInputAsync(command, null, writeInput, cancellationToken);
    }

    private async Task<CommandResult> RunWithInputAsync(
        CommandSpec command, Action<OutputLine>? onOutput, Func<Stream, CancellationToken, Task>? writeInput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var display = command.ToString();
        var nonce = Guid.NewGuid().ToString("N");
        var line = SshRemoteCommand.Render(command, nonce, streamedInput: writeInput is not null);

        using var deadline = _target.CommandTimeout is { } timeout ? new CancellationTokenSource(timeout, _time) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await _commandSlots.WaitAsync(stop.Token);
            try
            {
                return await RunCoreAsync(command, display, line, nonce, onOutput, writeInput, stop.Token);
            }
            finally
            {
                _commandSlots.Release();
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var seconds = _target.CommandTimeout.GetValueOrDefault().TotalSeconds;
            LogTimedOut(display, Name, seconds);
            throw new SshCommandTimeoutException(
                $"`{display}` on {_target.Address} did not finish within its {seconds:0.###} s command timeout; it was killed. Raise commandTimeout if it needs longer.",
                _target.CommandTimeout.GetValueOrDefault());
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            LogCancelled(display, Name);
            throw new OperationCanceledException($"`{display}` on {_target.Address} was cancelled.", ex, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the command on the host attached to the user's terminal through the OpenSSH client (<c>ssh -t</c>), with this
    /// runner's key, port and known_hosts (<see cref="SshRemoteCommand.InteractiveClient"/>). SSH.NET asks for a terminal only
    /// with a shell request, whose stream reports no exit status; the ssh client gives the session a terminal, passes
    /// keystrokes and window changes, and exits with the remote command's exit code. A key's passphrase is asked by ssh
    /// (or served by ssh-agent); <see cref="SshTarget.CommandTimeout"/> does not apply to a session a person drives.
    /// </summary>
    public Task<int> RunInteractiveAsync(CommandSpec command, bool tty, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var client = SshRemoteCommand.InteractiveClient(_target, command, tty);
        var display = command.ToString();
        var runner = Name + " (interactive, ssh client)";
        LogStarting(display, runner, command.WorkingDirectory ?? "~");
        return InheritedProcess.RunAsync(client, cancellationToken);
    }

    private async Task<CommandResult> RunCoreAsync(
        CommandSpec command, string display, string line, string nonce, Action<OutputLine>? onOutput, Func<Stream, CancellationToken, Task>? writeInput, CancellationToken stop)
    {
        var redactor = new SecretRedactor(command.Secrets);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new Lock();
        var processGroup = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var callbackFailed = new CancellationTokenSource();
        ExceptionDispatchInfo? callbackFailure = null;
        var finished = 0;

        void Receive(OutputChannel stream, string raw)
        {
            if (stream == OutputChannel.StandardError && !processGroup.Task.IsCompleted
                && SshRemoteCommand.TryReadProcessGroup(raw, nonce, out var group))
            {
                processGroup.TrySetResult(group);
                return;
            }

            if (Volatile.Read(ref finished) != 0)
            {
                return;
            }

            var text = redactor.Redact(raw);
            lock (gate)
            {
                (stream == OutputChannel.StandardOutput ? stdout : stderr).Append(text).Append('\n');
            }

            if (!command.SecretOutput)
            {
                LogOutput(display, text);
            }

            if (onOutput is null || Volatile.Read(ref callbackFailure) is not null)
            {
                return;
            }

            try
            {
                onOutput(new OutputLine(stream, text));
            }
            catch (Exception ex)
            {
                // The caller's callback failed: stop the remote command and rethrow it, as a local run would.
                // The pump keeps draining, so the remote side never blocks on a full pipe meanwhile.
                if (Interlocked.CompareExchange(ref callbackFailure, ExceptionDispatchInfo.Capture(ex), null) is null)
                {
                    callbackFailed.Cancel();
                }
            }
        }

        LogStarting(display, Name, command.WorkingDirectory ?? "~");
        var started = _time.GetTimestamp();
        var (ssh, execution) = await StartAsync(line, stop);
        try
        {
            var pumps = Task.WhenAll(
                Pump(ssh.OutputStream, OutputChannel.StandardOutput, Receive),
                Pump(ssh.ExtendedOutputStream, OutputChannel.StandardError, Receive));
            using var inputStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var input = writeInput is null
                ? WriteStandardInput(ssh, SshRemoteCommand.StandardInput(command, nonce))
                : StreamStandardInputAsync(ssh, SshRemoteCommand.StandardInput(command, nonce), writeInput, inputStop.Token);
            var completion = Task.WhenAll(execution, pumps);
            using var abort = CancellationTokenSource.CreateLinkedTokenSource(stop, callbackFailed.Token);
            try
            {
                await completion.WaitAsync(abort.Token);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                await StopRemoteAsync(ssh, display, processGroup.Task, completion);
                Volatile.Read(ref callbackFailure)?.Throw();
                throw;
            }
            catch (SshNetConnectionException ex)
            {
                throw new SshConnectionException(
                    $"The SSH connection to {_target.Address} dropped while `{display}` was running ({ex.Message}); it may still be running there.", ex);
            }

            Volatile.Read(ref callbackFailure)?.Throw();
            var exitCode = ssh.ExitStatus ?? SshRemoteCommand.ExitCodeForSignal(ssh.ExitSignal);
            if (writeInput is not null)
            {
                // The command ended: a writer still producing has nobody to write to. Its own failure (the source of the
                // bytes broke) is the cause to report, before the command's complaint about input that ended early.
                await inputStop.CancelAsync();
                var fed = await input;
                fed?.Throw();
            }

            var elapsed = _time.GetElapsedTime(started);
            LogFinished(display, Name, exitCode, elapsed.TotalMilliseconds);
            lock (gate)
            {
                return new CommandResult(display, exitCode, stdout.ToString(), stderr.ToString(), elapsed);
            }
        }
        finally
        {
            // After a cancellation the pumps may still see the last bytes: nothing reaches the caller any more.
            Volatile.Write(ref finished, 1);
            ssh.Dispose();
        }
    }

    /// <summary>Reads a stream line by line as data arrives, on its own thread: SSH.NET's output streams block on read.</summary>
    private static Task Pump(Stream stream, OutputChannel channel, Action<OutputChannel, string> receive) =>
        Task.Factory.StartNew(
            () =>
            {
                try
                {
                    using var reader = new StreamReader(stream, Utf8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true);
                    while (reader.ReadLine() is { } line)
                    {
                        receive(channel, line);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // The command was disposed after a cancellation that could not wait for the end of its output.
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>
    /// Writes the command's standard input, then closes it (EOF), on its own thread: a command that never reads
    /// would otherwise block the write. Without input the remote line reads /dev/null (<see cref="SshRemoteCommand.Render"/>).
    /// </summary>
    private static Task<ExceptionDispatchInfo?> WriteStandardInput(SshCommand ssh, string? input)
    {
        if (string.IsNullOrEmpty(input))
        {
            return Task.FromResult<ExceptionDispatchInfo?>(null);
        }

        return Task.Factory.StartNew(
            ExceptionDispatchInfo? () =>
            {
                try
                {
                    using var stream = ssh.CreateInputStream();
                    stream.Write(Utf8.GetBytes(input));
                }
                catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The command ended (or was killed) before reading all its input: nothing left to feed.
                }

                return null;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>
    /// Writes the environment lines, then what <paramref name="writeInput"/> produces, then closes the input (EOF). The
    /// channel's input stream blocks on a full window, so the copy runs on its own thread. The channel closing under the
    /// writer (the command stopped reading) ends it quietly; the writer's own failure is returned for the caller to throw.
    /// </summary>
    private static Task<ExceptionDispatchInfo?> StreamStandardInputAsync(
        SshCommand ssh, string? prefix, Func<Stream, CancellationToken, Task> writeInput, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(
            async () =>
            {
                try
                {
                    await using var stream = ssh.CreateInputStream();
                    if (!string.IsNullOrEmpty(prefix))
                    {
                        await stream.WriteAsync(Utf8.GetBytes(prefix), cancellationToken);
                    }

                    await writeInput(stream, cancellationToken);
                    return null;
                }
                catch (Exception ex) when (ex is Renci.SshNet.Common.SshException or IOException or ObjectDisposedException or InvalidOperationException
                    || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    return null;
                }
                catch (Exception ex)
                {
                    return ExceptionDispatchInfo.Capture(ex);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap();
}
