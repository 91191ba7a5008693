using System.ComponentModel;
using System.Text;
using CliWrap;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// Runs commands on this machine (CliWrap underneath): arguments passed as a list (no shell),
/// output streamed line by line, the whole process tree killed on cancellation.
/// </summary>
internal sealed partial class LocalProcessRunner : IStreamingCommandRunner, IInteractiveCommandRunner
{
    private readonly ILogger<LocalProcessRunner> _logger;
    private readonly TimeProvider _time;

    public LocalProcessRunner(ILogger<LocalProcessRunner> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public string Name => "local";

    /// <summary>The command on this machine with the user's terminal (<see cref="InheritedProcess"/>); <paramref name="tty"/> changes nothing here.</summary>
    public Task<int> RunInteractiveAsync(CommandSpec command, bool tty, CancellationToken cancellationToken) =>
        InheritedProcess.RunAsync(command, cancellationToken);

    public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken) =>
        RunCoreAsync(command, onOutput, null, null, cancellationToken);

    public Task<CommandResult> RunStreamingAsync(
        CommandSpec command, Func<Stream, CancellationToken, Task>? writeInput, Func<Stream, CancellationToken, Task>? readOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.StandardInput is not null && writeInput is not null)
        {
            throw new ArgumentException("A streamed command takes its input from the writer; its StandardInput must be null.", nameof(command));
        }

        return RunCoreAsync(command, null, writeInput, readOutput, cancellationToken);
    }

    private async Task<CommandResult> RunCoreAsync(
        CommandSpec command,
        Action<OutputLine>? onOutput,
        Func<Stream, CancellationToken, Task>? writeInput,
        Func<Stream, CancellationToken, Task>? readOutput,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);

        // CliWrap would start the process and kill it right away: a cancelled command must not run at all.
        cancellationToken.ThrowIfCancellationRequested();
        var redactor = new SecretRedactor(command.Secrets);
        var display = command.ToString();
        if (command.WorkingDirectory is not null && !Directory.Exists(command.WorkingDirectory))
        {
            // Otherwise the start fails with "is the program installed?", which sends the user the wrong way.
            throw new CommandStartException(
                $"Could not start `{display}`: its working directory {command.WorkingDirectory} does not exist.",
                new DirectoryNotFoundException(command.WorkingDirectory));
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new Lock();

        void Receive(OutputChannel stream, string raw)
        {
            var line = redactor.Redact(raw);
            lock (gate)
            {
                (stream == OutputChannel.StandardOutput ? stdout : stderr).Append(line).Append('\n');
            }

            if (!command.SecretOutput)
            {
                LogOutput(display, line);
            }

            onOutput?.Invoke(new OutputLine(stream, line));
        }

        var cli = Cli.Wrap(command.Program)
            .WithArguments(command.Arguments)
            .WithEnvironmentVariables(command.Environment.ToDictionary(kv => kv.Key, kv => (string?)kv.Value))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(line => Receive(OutputChannel.StandardOutput, line)))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(line => Receive(OutputChannel.StandardError, line)));
        if (command.WorkingDirectory is not null)
        {
            cli = cli.WithWorkingDirectory(command.WorkingDirectory);
        }

        if (command.StandardInput is not null)
        {
            cli = cli.WithStandardInputPipe(PipeSource.FromString(command.StandardInput));
        }
        else if (writeInput is not null)
        {
            cli = cli.WithStandardInputPipe(PipeSource.Create(writeInput));
        }

        if (readOutput is not null)
        {
            cli = cli.WithStandardOutputPipe(PipeTarget.Create(readOutput));
        }

        LogStarting(display, command.WorkingDirectory ?? Environment.CurrentDirectory);
        var started = _time.GetTimestamp();
        try
        {
            var result = await cli.ExecuteAsync(cancellationToken);
            var elapsed = _time.GetElapsedTime(started);
            LogFinished(display, result.ExitCode, elapsed.TotalMilliseconds);
            return new CommandResult(display, result.ExitCode, stdout.ToString(), stderr.ToString(), elapsed);
        }
        catch (OperationCanceledException)
        {
            LogCancelled(display);
            throw;
        }
        catch (Win32Exception ex)
        {
            throw new CommandStartException($"Could not start `{display}`: {ex.Message}. Is '{command.Program}' installed and on PATH?", ex);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is Win32Exception)
        {
            throw new CommandStartException($"Could not start `{display}`: {ex.InnerException.Message}. Is '{command.Program}' installed and on PATH?", ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {Command} in {WorkingDirectory}")]
    private partial void LogStarting(string command, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Command}: {Line}")]
    private partial void LogOutput(string command, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Command} exited with {ExitCode} after {ElapsedMs:F0} ms")]
    private partial void LogFinished(string command, int exitCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} cancelled; process tree killed")]
    private partial void LogCancelled(string command);
}
