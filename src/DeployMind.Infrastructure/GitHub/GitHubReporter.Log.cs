using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.GitHub;

internal sealed partial class GitHubReporter
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub reporting is off: no token in the {Variable} environment variable (github.tokenVariable). Set it to report commit statuses, pull request comments and deployments.")]
    private partial void LogNoToken(string variable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "GitHub reporting is off (github.report: false).")]
    private partial void LogReportingOff();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deployment {Id}: {Repository} is not a GitHub repository; nothing is reported to GitHub.")]
    private partial void LogNotGitHub(Guid id, string repository);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deployment {Id}: GitHub {What} failed (attempt {Attempt} of {MaxAttempts}): {Reason}; trying again in {Seconds:0.###}s.")]
    private partial void LogRetry(Guid id, string what, int attempt, int maxAttempts, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id}: {Reason}")]
    private partial void LogGivenUp(Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment {Id}: the failed GitHub report could not be recorded in its log: {Reason}")]
    private partial void LogRecordFailed(Guid id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GitHub report failed unexpectedly ({Type}): {Reason}")]
    private partial void LogUnexpected(string type, string reason);
}
