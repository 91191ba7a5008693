using DeployMind.Application.Deploy;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Records;

/// <summary>Reads an app's <see cref="ReleaseHistory"/> in an environment from its recorded deployments.</summary>
public static class ReleaseHistoryReader
{
    /// <summary>How many of the newest deployments are read: far more than the releases a host keeps.</summary>
    public const int Depth = 200;

    /// <summary>The history of <paramref name="app"/> in <paramref name="environment"/>; <see cref="ReleaseHistory.Unknown"/> when the store cannot be read.</summary>
    public static async Task<ReleaseHistory> ReadAsync(IDeploymentStore store, string app, string environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        IReadOnlyList<Deployment> deployments;
        try
        {
            deployments = await store.ListAsync(new DeploymentQuery { App = app, Environment = environment, Limit = Depth }, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The records are unreachable: the host's labels decide, as when they are gone.
            return ReleaseHistory.Unknown;
        }

        return Of(deployments);
    }

    /// <summary>The history told by <paramref name="deployments"/> (any order).</summary>
    public static ReleaseHistory Of(IEnumerable<Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        var succeeded = new List<string>();
        var rejected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in deployments.Where(d => d.ReleaseId is not null && !d.IsTeardown).OrderByDescending(d => d.UpdatedAt))
        {
            if (d.State == DeploymentState.Succeeded)
            {
                if (!succeeded.Contains(d.ReleaseId!, StringComparer.Ordinal))
                {
                    succeeded.Add(d.ReleaseId!);
                }
            }
            else if (d.IsFinished)
            {
                rejected.Add(d.ReleaseId!);
            }
        }

        rejected.ExceptWith(succeeded);
        return new ReleaseHistory(succeeded, rejected);
    }
}
