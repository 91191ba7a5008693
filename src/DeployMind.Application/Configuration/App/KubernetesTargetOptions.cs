using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary><c>target.kubernetes:</c> a namespace of a Kubernetes cluster (kubeconfig context or in-cluster).</summary>
public sealed partial class KubernetesTargetOptions
{
    /// <summary>The kubeconfig file; default $KUBECONFIG, then ~/.kube/config.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context; default the file's current context.</summary>
    public string? Context { get; set; }

    /// <summary>Use the service account of the pod DeployMind runs in (no kubeconfig).</summary>
    public bool InCluster { get; set; }

    public string Namespace { get; set; } = "default";

    /// <summary>Pods of the app (the autoscaler's minimum when autoscaling is on).</summary>
    public int Replicas { get; set; } = 2;

    /// <summary>The port the container listens on (given to it in PORT); default: the detected app's port.</summary>
    public int? ContainerPort { get; set; }

    /// <summary>The Service's port.</summary>
    public int ServicePort { get; set; } = 80;

    /// <summary>ClusterIP (default), NodePort or LoadBalancer.</summary>
    public string ServiceType { get; set; } = "ClusterIP";

    public KubernetesResourcesOptions Resources { get; set; } = new();

    public KubernetesAutoscalingOptions Autoscaling { get; set; } = new();

    public KubernetesPdbOptions Pdb { get; set; } = new();

    /// <summary>Non-secret environment variables (a ConfigMap).</summary>
    public Dictionary<string, string>? Env { get; set; }

    /// <summary>Environment variables read from existing Secrets: VAR → { secret, key }.</summary>
    public Dictionary<string, KubernetesSecretRefOptions>? SecretEnv { get; set; }

    /// <summary>A registry prefix the cluster pulls from (e.g. registry.example.com/team); the built image is tagged and pushed there.</summary>
    public string? Registry { get; set; }

    /// <summary>How long a rollout may take before it counts as failed (also the Deployment's progressDeadlineSeconds).</summary>
    public string RolloutDeadline { get; set; } = "5m";

    /// <summary>Time a pod gets between SIGTERM and SIGKILL.</summary>
    public string TerminationGracePeriod { get; set; } = "30s";

    /// <summary>Canary error-rate analysis from the pods' access-log lines.</summary>
    public KubernetesMetricsOptions Metrics { get; set; } = new();

    /// <summary>The checked settings; <paramref name="detectedPort"/> is used when <see cref="ContainerPort"/> is not set.</summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key (<paramref name="key"/> is e.g. environments.staging.target.kubernetes).</exception>
    public KubernetesSettings ToSettings(string key, int? detectedPort = null)
    {
        if (InCluster && (!string.IsNullOrWhiteSpace(Kubeconfig) || !string.IsNullOrWhiteSpace(Context)))
        {
            throw new InvalidInputException($"{key}.inCluster: true uses the pod's service account; remove {key}.kubeconfig and {key}.context, or set inCluster to false.");
        }

        var ns = (Namespace ?? string.Empty).Trim();
        if (!DnsLabel().IsMatch(ns))
        {
            throw new InvalidInputException($"{key}.namespace: '{Namespace}' is not a namespace name (lower-case letters, digits and '-', at most 63).");
        }

        if (Replicas is < 1 or > 1000)
        {
            throw new InvalidInputException($"{key}.replicas: {Replicas} is out of range; use 1 to 1000.");
        }

        var containerPort = ContainerPort ?? detectedPort ?? 8080;
        if (containerPort is < 1 or > 65535)
        {
            throw new InvalidInputException($"{key}.containerPort: {containerPort} is not a port (1-65535).");
        }

        if (ServicePort is < 1 or > 65535)
        {
            throw new InvalidInputException($"{key}.servicePort: {ServicePort} is not a port (1-65535).");
        }

        var serviceType = (ServiceType ?? string.Empty).Trim() switch
        {
            var t when t.Equals("ClusterIP", StringComparison.OrdinalIgnoreCase) => "ClusterIP",
            var t when t.Equals("NodePort", StringComparison.OrdinalIgnoreCase) => "NodePort",
            var t when t.Equals("LoadBalancer", StringComparison.OrdinalIgnoreCase) => "LoadBalancer",
            _ => throw new InvalidInputException($"{key}.serviceType: '{ServiceType}' is not a Service type; use ClusterIP, NodePort or LoadBalancer."),
        };

        var resources = Resources.ToResources(key + ".resources");
        var autoscaling = Autoscaling.ToPolicy(key + ".autoscaling", Replicas);
        if (Pdb.Enabled && (Pdb.MinAvailable < 0 || Pdb.MinAvailable >= Math.Max(Replicas, autoscaling?.MinReplicas ?? Replicas)))
        {
            throw new InvalidInputException(
                $"{key}.pdb.minAvailable: {Pdb.MinAvailable} must be at least 0 and below {key}.replicas ({Replicas}), or no node could ever be drained; lower it or raise replicas.");
        }

        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in Env ?? [])
        {
            env[EnvName(name, $"{key}.env")] = value ?? string.Empty;
        }

        var secretEnv = new SortedDictionary<string, KubernetesSecretRef>(StringComparer.Ordinal);
        foreach (var (name, reference) in SecretEnv ?? [])
        {
            var variable = EnvName(name, $"{key}.secretEnv");
            if (env.ContainsKey(variable))
            {
                throw new InvalidInputException($"{key}.secretEnv.{name}: {name} is in {key}.env too; keep it in one of them.");
            }

            var secret = reference?.Secret?.Trim() ?? string.Empty;
            var secretKey = reference?.Key?.Trim() ?? string.Empty;
            if (!DnsSubdomain().IsMatch(secret))
            {
                throw new InvalidInputException($"{key}.secretEnv.{name}.secret: '{reference?.Secret}' is not the name of a Secret (lower-case letters, digits, '-' and '.').");
            }

            if (!SecretKey().IsMatch(secretKey))
            {
                throw new InvalidInputException($"{key}.secretEnv.{name}.key: '{reference?.Key}' is not a key of a Secret (letters, digits, '-', '_' and '.').");
            }

            secretEnv[variable] = new KubernetesSecretRef(secret, secretKey);
        }

        var registry = string.IsNullOrWhiteSpace(Registry) ? null : Registry.Trim().TrimEnd('/');
        if (registry is not null && !RegistryPrefix().IsMatch(registry))
        {
            throw new InvalidInputException($"{key}.registry: '{Registry}' is not a registry prefix; write it like registry.example.com/team or registry.example.com:5000.");
        }

        var deadline = Duration.Parse(RolloutDeadline, key + ".rolloutDeadline");
        if (deadline < TimeSpan.FromSeconds(1))
        {
            throw new InvalidInputException($"{key}.rolloutDeadline: {RolloutDeadline} is too short; give the rollout at least 1s (default 5m).");
        }

        var grace = Duration.Parse(TerminationGracePeriod, key + ".terminationGracePeriod");
        return new KubernetesSettings(ns, Replicas, containerPort, ServicePort, serviceType, resources)
        {
            Kubeconfig = string.IsNullOrWhiteSpace(Kubeconfig) ? null : Kubeconfig.Trim(),
            Context = string.IsNullOrWhiteSpace(Context) ? null : Context.Trim(),
            InCluster = InCluster,
            Autoscaling = autoscaling,
            PdbMinAvailable = Pdb.Enabled ? Pdb.MinAvailable : null,
            Env = env,
            SecretEnv = secretEnv,
            Registry = registry,
            RolloutDeadline = deadline,
            TerminationGracePeriodSeconds = (long)Math.Ceiling(grace.TotalSeconds),
            LogPattern = Metrics.ToPattern(key + ".metrics"),
        };
    }

    private static string EnvName(string name, string key) =>
        EnvVariable().IsMatch(name ?? string.Empty)
            ? name!
            : throw new InvalidInputException($"{key}.{name}: '{name}' is not an environment variable name (letters, digits and '_', not starting with a digit).");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[-._a-zA-Z0-9]{1,253}$")]
    private static partial Regex SecretKey();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVariable();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([-._a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex RegistryPrefix();
}
