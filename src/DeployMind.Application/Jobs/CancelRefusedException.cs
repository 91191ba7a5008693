using DeployMind.Application.Records;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Jobs;

/// <summary>The deployment asked to be cancelled is finished already: there is nothing to cancel (the API answers 409).</summary>
public sealed class CancelRefusedException : DeployMindException
{
    public CancelRefusedException(Deployment deployment)
        : base(Describe(deployment))
    {
        Deployment = deployment;
    }

    public Deployment Deployment { get; }

    private static string Describe(Deployment deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return $"Deployment {deployment.ShortId()} is already {deployment.State.Name()}: there is nothing to cancel.";
    }
}
