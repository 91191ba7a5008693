using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Aws;

/// <summary>Log messages (source-generated). Commands are logged redacted; scripts, payloads and presigned URLs never.</summary>
internal sealed partial class SsmCommandRunner
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Running {Command} on {Runner} in {WorkingDirectory} (script {Delivery})")]
    private partial void LogStarting(string command, string runner, string workingDirectory, string delivery);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Command}: {Line}")]
    private partial void LogOutput(string command, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Command} on {Runner} exited with {ExitCode} after {ElapsedMs:F0} ms")]
    private partial void LogFinished(string command, string runner, int exitCode, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Command} on {Runner} cancelled; cancelled through SSM")]
    private partial void LogCancelled(string command, string runner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} on {Runner} exceeded its {TimeoutSeconds} s command timeout; cancelled through SSM")]
    private partial void LogTimedOut(string command, string runner, double timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent CancelCommand for {CommandId} ({Command}) to {Runner}")]
    private partial void LogCancelSent(string command, string runner, string commandId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not cancel SSM command {CommandId} ({Command}) on {Runner}: {Reason}; it may still be running")]
    private partial void LogCancelFailed(string command, string runner, string commandId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "GetCommandInvocation for {Command} on {Runner} failed ({ErrorCode}, HTTP {Status}); polling again")]
    private partial void LogPollRetry(string command, string runner, string? errorCode, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the payload of {Command} on {Runner} from s3://{Bucket}/{Key}: {Reason}; delete it (a lifecycle rule on the prefix helps)")]
    private partial void LogPayloadNotDeleted(string command, string runner, string bucket, string key, string reason);
}
