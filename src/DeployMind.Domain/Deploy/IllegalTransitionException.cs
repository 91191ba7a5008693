namespace DeployMind.Domain.Deploy;

/// <summary>A transition the state machine does not allow (a bug in the caller, never user input).</summary>
public sealed class IllegalTransitionException : InvalidOperationException
{
    public IllegalTransitionException(Guid deployment, DeploymentState from, DeploymentState to)
        : base($"Deployment {deployment} cannot go from {from.Name()} to {to.Name()}.")
    {
        From = from;
        To = to;
    }

    public IllegalTransitionException()
    {
    }

    public IllegalTransitionException(string message)
        : base(message)
    {
    }

    public IllegalTransitionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DeploymentState From { get; }

    public DeploymentState To { get; }
}
