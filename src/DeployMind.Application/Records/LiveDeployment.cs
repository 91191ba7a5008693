using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>
/// Which recorded deployment put out what serves an app and environment now: the newest that succeeded (previews and
/// removals left out), unless a removal (<c>app remove</c>) succeeded after it — then nothing serves. One rule for where
/// an app lives (<c>Deploy.Placement</c>), what <c>apps</c> shows and what <c>app start</c> starts.
/// </summary>
public static class LiveDeployment
{
    /// <summary>The live deployment among <paramref name="deployments"/> (of one app and environment), or null.</summary>
    public static Deployment? Of(IEnumerable<Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        var succeeded = deployments.Where(d => d.State == DeploymentState.Succeeded && d.PullRequest is null).ToList();
        var live = succeeded.Where(d => !d.IsTeardown && d.ReleaseId is not null).MaxBy(d => d.CreatedAt);
        var removed = succeeded.Where(d => d.IsTeardown).MaxBy(d => d.CreatedAt);
        return live is not null && (removed is null || live.CreatedAt > removed.CreatedAt) ? live : null;
    }

    /// <summary>The live deployment of <paramref name="app"/> in <paramref name="environment"/>, from the store.</summary>
    public static async Task<Deployment?> FindAsync(IDeploymentStore store, string app, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Of(await store.ListAsync(new DeploymentQuery { App = app, Environment = environment, State = DeploymentState.Succeeded, Limit = 20 }, cancellationToken));
    }
}
