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
        try
        {
            return Of(await store.ReleasesAsync(app, environment, Depth, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The records are unreachable: the host's own ledger and labels decide, as when they are gone.
            return ReleaseHistory.Unknown;
        }
    }

    /// <summary>The history told by <paramref name="deployments"/> (any order).</summary>
    public static ReleaseHistory Of(IEnumerable<Deployment> deployments)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        return Of(deployments.Where(d => d.ReleaseId is not null && !d.IsTeardown).Select(d => new RecordedRelease(d.ReleaseId!, d.State, d.UpdatedAt)));
    }

    /// <summary>The history told by <paramref name="releases"/> (any order).</summary>
    public static ReleaseHistory Of(IEnumerable<RecordedRelease> releases)
    {
        ArgumentNullException.ThrowIfNull(releases);
        var succeeded = new List<string>();
        var rejected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in releases.OrderByDescending(r => r.UpdatedAt))
        {
            if (r.State == DeploymentState.Succeeded)
            {
                if (!succeeded.Contains(r.ReleaseId, StringComparer.Ordinal))
                {
                    succeeded.Add(r.ReleaseId);
                }
            }
            else if (r.State.IsTerminal())
            {
                rejected.Add(r.ReleaseId);
            }
        }

        rejected.ExceptWith(succeeded);
        return new ReleaseHistory(succeeded, rejected);
    }
}
