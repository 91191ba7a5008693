using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary><c>target.kubernetes.resources:</c> the container's requests and limits.</summary>
public sealed partial class KubernetesResourcesOptions
{
    public KubernetesQuantityOptions Requests { get; set; } = new() { Cpu = "100m", Memory = "128Mi" };

    public KubernetesQuantityOptions Limits { get; set; } = new() { Cpu = "500m", Memory = "256Mi" };

    /// <summary>The checked quantities.</summary>
    /// <exception cref="InvalidInputException">A quantity is not one; the message names its key.</exception>
    public KubernetesResources ToResources(string key) => new(
        Quantity(Requests.Cpu, key + ".requests.cpu"),
        Quantity(Requests.Memory, key + ".requests.memory"),
        Quantity(Limits.Cpu, key + ".limits.cpu"),
        Quantity(Limits.Memory, key + ".limits.memory"));

    private static string Quantity(string? text, string key)
    {
        var value = text?.Trim() ?? string.Empty;
        return QuantityPattern().IsMatch(value)
            ? value
            : throw new InvalidInputException($"{key}: '{text}' is not a Kubernetes quantity; write it like 250m or 0.5 (CPU), 256Mi or 1Gi (memory).");
    }

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex QuantityPattern();
}
