using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Webhooks;

/// <summary>
/// Removes previews nobody deployed again within <c>server.previews.ttl</c> (a pull request left open, or closed while
/// the server was down): for each pull request the latest preview deployment decides; when it is not a teardown and is
/// older than the TTL, a teardown is queued (once: its key names that deployment).
/// </summary>
public sealed class PreviewSweep
{
    private readonly IDeploymentStore _store;
    private readonly JobIntake _jobs;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;

    public PreviewSweep(IDeploymentStore store, JobIntake jobs, IOptions<ServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _jobs = jobs;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Queues the teardowns of expired previews; returns the ids of the teardown deployments newly queued.</summary>
    public async Task<IReadOnlyList<Guid>> SweepAsync(CancellationToken cancellationToken)
    {
        var previews = _options.Previews;
        var ttl = previews.TtlValue;
        var now = _time.GetUtcNow();
        var recent = await _store.ListAsync(new DeploymentQuery { Environment = previews.Environment, Limit = 1000 }, cancellationToken);
        var queued = new List<Guid>();
        foreach (var group in recent.Where(d => d.PullRequest is not null && d.Repository is not null).GroupBy(d => (d.Repository!, d.PullRequest!.Value)))
        {
            var latest = group.MaxBy(d => d.CreatedAt)!;
            if (latest.IsTeardown || !latest.IsFinished || now - latest.UpdatedAt < ttl)
            {
                continue;
            }

            var (repository, number) = group.Key;
            var key = $"sweep:{repository}#{number}:{latest.Id:N}";
            var id = JobIntake.IdFor(key);
            var triggeredBy = $"sweeper: no deploy for {Domain.Duration.Format(ttl)}";
            var teardown = new Deployment(id, latest.App, previews.Environment, latest.Strategy, triggeredBy, now)
            {
                Repository = repository,
                Branch = latest.Branch,
                Commit = latest.Commit,
                PullRequest = number,
                IsTeardown = true,
            };
            var job = new DeployJob
            {
                Id = id,
                Environment = previews.Environment,
                Targets = [],
                Priority = JobPriority.Webhook,
                IdempotencyKey = key,
                Repository = _options.Repository(repository)?.Source ?? repository,
                Ref = latest.Commit,
                Path = _options.Repository(repository)?.Path ?? ".",
                Branch = latest.Branch,
                PullRequest = number,
                Teardown = true,
                TriggeredBy = triggeredBy,
                EnqueuedAt = now,
            };
            if ((await _jobs.SubmitAsync(teardown, job, cancellationToken)).Added)
            {
                queued.Add(id);
            }
        }

        return queued;
    }
}
