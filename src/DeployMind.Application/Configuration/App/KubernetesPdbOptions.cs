namespace DeployMind.Application.Configuration;

/// <summary><c>target.kubernetes.pdb:</c> a PodDisruptionBudget.</summary>
public sealed class KubernetesPdbOptions
{
    public bool Enabled { get; set; } = true;

    public int MinAvailable { get; set; } = 1;
}
