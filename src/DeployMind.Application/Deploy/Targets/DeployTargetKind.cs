namespace DeployMind.Application.Deploy.Targets;

/// <summary>Where an environment deploys: its <c>target:</c> (<c>docker</c> or <c>kubernetes</c>).</summary>
public enum DeployTargetKind
{
    /// <summary>Docker hosts behind their own nginx (this machine or SSH hosts).</summary>
    Docker,

    /// <summary>A namespace of a Kubernetes cluster.</summary>
    Kubernetes,
}

/// <summary>The names users write for target kinds.</summary>
public static class DeployTargetKindExtensions
{
    public static string Name(this DeployTargetKind kind) => kind switch
    {
        DeployTargetKind.Kubernetes => "kubernetes",
        _ => "docker",
    };
}
