using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Kubernetes;

/// <summary>A server-side apply met fields owned by another field manager (kubectl, helm, an operator); nothing was forced.</summary>
public sealed class KubernetesConflictException : DeployMindException
{
    public KubernetesConflictException(string message)
        : base(message)
    {
    }

    public KubernetesConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KubernetesConflictException()
    {
    }
}
