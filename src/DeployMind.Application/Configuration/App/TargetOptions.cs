namespace DeployMind.Application.Configuration;

/// <summary><c>target:</c> where an environment deploys.</summary>
public sealed class TargetOptions
{
    public DockerTargetOptions? Docker { get; set; }

    /// <summary>A Kubernetes namespace instead of Docker hosts (the two exclude each other).</summary>
    public KubernetesTargetOptions? Kubernetes { get; set; }
}
