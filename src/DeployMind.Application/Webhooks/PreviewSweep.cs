using DeployMind.Application.Jobs;
using DeployMind.Application.Records;
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
    private readonly DeploymentIntake _intake;
    private readonly ServerOptions _options;
    private readonly TimeProvider _time;

    public PreviewSweep(IDeploymentStore store, DeploymentIntake intake, IOptions<ServerOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _intake = intake;
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
            var teardown = new PreviewJob(
                $"sweep:{repository}#{number}:{latest.Id:N}", repository, number, latest.Branch, latest.Commit, latest.App, Teardown: true,
                $"sweeper: no deploy for {Domain.Duration.Format(ttl)}").Request(previews.Environment);
            var submitted = await _intake.SubmitAsync(teardown, cancellationToken);
            if (submitted.Added)
            {
                queued.Add(submitted.Deployment.Id);
            }
        }

        return queued;
    }
}
