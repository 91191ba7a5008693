using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Processes;

/// <summary>Log messages (source-generated). Commands are logged redacted; keys and passphrases never.</summary>
internal sealed partial class SshCommandRunner
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {Command} on {Runner} in {WorkingDirectory}")]
    private partial void LogStarting(string command, string runner, string workingDirectory);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Command}: {Line}")]
    private partial void LogOutput(string command, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Command} on {Runner} exited with {ExitCode} after {ElapsedMs:F0} ms")]
    private partial void LogFinished(string command, string runner, int exitCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} on {Runner} cancelled; remote process group killed")]
    private partial void LogCancelled(string command, string runner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} on {Runner} exceeded its {TimeoutSeconds} s command timeout; remote process group killed")]
    private partial void LogTimedOut(string command, string runner, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent TERM/KILL to remote process group {ProcessGroup} of {Command} on {Runner}")]
    private partial void LogKilled(string command, string runner, int processGroup);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not kill remote process group {ProcessGroup} of {Command} on {Runner}: {Reason}; it may still be running")]
    private partial void LogKillFailed(string command, string runner, int processGroup, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} on {Runner} never reported its process group; it may still be running")]
    private partial void LogProcessGroupUnknown(string command, string runner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The channel of {Command} on {Runner} did not close after the kill; sending KILL to its shell and abandoning it")]
    private partial void LogChannelStillOpen(string command, string runner);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connecting {Runner} with key {KeyPath}")]
    private partial void LogConnecting(string runner, string keyPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected {Runner} (host key {Fingerprint})")]
    private partial void LogConnected(string runner, string fingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting {Runner}: {Reason}")]
    private partial void LogReconnecting(string runner, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Host key checking is off for {Host} (strictHostKeyChecking: false): any server answering there is trusted")]
    private partial void LogHostKeyCheckingOff(string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepted the host key of {Host} ({Fingerprint}) without checking known_hosts (strictHostKeyChecking: false)")]
    private partial void LogHostKeyAccepted(string host, string fingerprint);
}
