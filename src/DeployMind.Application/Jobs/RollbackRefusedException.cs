using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>Why a deployment cannot be rolled back by a worker.</summary>
public enum RollbackRefusal
{
    /// <summary>It never reached its hosts: no release of it runs, so there is nothing to go back from.</summary>
    NeverReachedHosts,

    /// <summary>It is still queued or running.</summary>
    StillRunning,

    /// <summary>It was deployed from a folder, which a worker cannot fetch.</summary>
    NoRepository,
}

/// <summary>A rollback of <see cref="Of"/> cannot be queued; <see cref="Refusal"/> says why (the API answers 409).</summary>
public sealed class RollbackRefusedException : DeployMindException
{
    public RollbackRefusedException(Deployment of, RollbackRefusal refusal)
        : base(Describe(of, refusal))
    {
        Of = of;
        Refusal = refusal;
    }

    /// <summary>The deployment asked to be rolled back.</summary>
    public Deployment Of { get; }

    public RollbackRefusal Refusal { get; }

    private static string Describe(Deployment of, RollbackRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(of);
        return refusal switch
        {
            RollbackRefusal.NeverReachedHosts =>
                $"Deployment {of.ShortId()} never reached its hosts ({(of.Reason is { } reason ? $"{of.State.Name()}: {reason}" : of.State.Name())}): no release of it runs, so there is nothing to go back from.",
            RollbackRefusal.StillRunning => $"Deployment {of.ShortId()} is {of.State.Name()}: cancel it or wait until it is finished.",
            _ => $"Deployment {of.ShortId()} was deployed from a folder, not a repository, so a worker cannot fetch it: run `deploymind rollback {of.ShortId()}` where it was deployed.",
        };
    }
}
