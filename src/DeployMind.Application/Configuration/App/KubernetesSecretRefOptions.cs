namespace DeployMind.Application.Configuration;

/// <summary>A key of an existing Secret.</summary>
public sealed class KubernetesSecretRefOptions
{
    /// <summary>The Secret's name (in the target namespace).</summary>
    public string? Secret { get; set; }

    public string? Key { get; set; }
}
