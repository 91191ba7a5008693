using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using k8s;
using k8s.Exceptions;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>Connects with the kubeconfig file and context of the settings ($KUBECONFIG, then ~/.kube/config), or the pod's service account.</summary>
internal sealed class KubernetesClusterFactory : IKubernetesClusterFactory
{
    public IKubernetesCluster Connect(KubernetesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KubernetesCluster(new k8s.Kubernetes(Configuration(settings)), settings);
    }

    /// <summary>The kubeconfig file used when the settings name none: the first of $KUBECONFIG, else ~/.kube/config.</summary>
    public static string DefaultKubeconfig()
    {
        var variable = Environment.GetEnvironmentVariable("KUBECONFIG");
        var first = variable?.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return first ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
    }

    /// <summary>The client configuration; a missing file, context or in-cluster environment is a clear error.</summary>
    public static KubernetesClientConfiguration Configuration(KubernetesSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.InCluster)
        {
            if (!KubernetesClientConfiguration.IsInCluster())
            {
                throw new DeployMindException("target.kubernetes.inCluster is true but DeployMind does not run in a pod (no service account token, no KUBERNETES_SERVICE_HOST); use a kubeconfig instead.");
            }

            return KubernetesClientConfiguration.InClusterConfig();
        }

        var path = settings.Kubeconfig is { } configured ? Expand(configured) : DefaultKubeconfig();
        if (!File.Exists(path))
        {
            throw new DeployMindException($"The kubeconfig {path} does not exist. Set target.kubernetes.kubeconfig, or KUBECONFIG, or create ~/.kube/config (`kubectl config view` shows what kubectl uses).");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, settings.Context);
        }
        catch (KubeConfigException ex)
        {
            throw new DeployMindException($"The kubeconfig {path} cannot be used{(settings.Context is null ? string.Empty : $" with context '{settings.Context}'")}: {ex.Message}. `kubectl config get-contexts` lists its contexts.", ex);
        }
    }

    private static string Expand(string path) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path[2..]) : Path.GetFullPath(path);
}
