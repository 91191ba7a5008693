using DeployMind.Application.Jobs;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Redis;

/// <summary>Log messages (source-generated).</summary>
internal sealed partial class RedisJobQueue
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Enqueued job {JobId} ({Environment}, {Priority})")]
    private partial void LogEnqueued(Guid jobId, string environment, JobPriority priority);

    [LoggerMessage(Level = LogLevel.Information, Message = "Idempotency key {IdempotencyKey} already enqueued job {JobId}; not adding another")]
    private partial void LogDuplicate(string idempotencyKey, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Released job {JobId} for {DelaySeconds:0.###} s: {Reason}")]
    private partial void LogReleased(Guid jobId, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} failed (delivery {Deliveries} of {MaxDeliveries}); it will be taken again: {Error}")]
    private partial void LogFailed(Guid jobId, int deliveries, int maxDeliveries, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} of {Environment} failed {Deliveries} times and was dead-lettered: {Error}")]
    private partial void LogDeadLettered(Guid jobId, string environment, int deliveries, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not {Operation} job {JobId}: {Consumer} no longer holds it (taken over after the visibility timeout, or already finished)")]
    private partial void LogLeaseLost(string operation, Guid jobId, string consumer);
}
