using System.Globalization;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary><c>target.kubernetes.autoscaling:</c> a HorizontalPodAutoscaler on CPU.</summary>
public sealed class KubernetesAutoscalingOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Default: <c>replicas</c>.</summary>
    public int? MinReplicas { get; set; }

    public int MaxReplicas { get; set; } = 10;

    /// <summary>Average CPU utilisation the autoscaler aims for, in percent of the request.</summary>
    public int Cpu { get; set; } = 70;

    /// <summary>The checked policy, or null when autoscaling is off.</summary>
    public KubernetesAutoscaling? ToPolicy(string key, int replicas)
    {
        if (!Enabled)
        {
            return null;
        }

        var min = MinReplicas ?? replicas;
        if (min < 1)
        {
            throw new InvalidInputException($"{key}.minReplicas: {min} must be at least 1.");
        }

        if (MaxReplicas < min)
        {
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"{key}.maxReplicas: {MaxReplicas} is below the minimum {min}; raise it."));
        }

        return Cpu is < 1 or > 100
            ? throw new InvalidInputException($"{key}.cpu: {Cpu} is not a percentage (1-100).")
            : new KubernetesAutoscaling(min, MaxReplicas, Cpu);
    }
}
