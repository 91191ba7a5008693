namespace DeployMind.Application.Configuration;

/// <summary>CPU and memory quantities.</summary>
public sealed class KubernetesQuantityOptions
{
    public string? Cpu { get; set; }

    public string? Memory { get; set; }
}
