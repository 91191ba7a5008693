using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Security;

/// <summary>The compose (DMC) and Kubernetes (DMK) rules of <see cref="RiskyConfigScanner"/>.</summary>
internal static class RiskyConfigRuleCatalog
{
    public static readonly SecurityRuleDescriptor ComposePrivileged = Rule("DMC001", "Compose service runs privileged", Severity.High, "Remove privileged: true; grant only the capabilities needed (cap_add).");
    public static readonly SecurityRuleDescriptor ComposeHostNetwork = Rule("DMC002", "Compose service uses the host network", Severity.Medium, "Remove network_mode: host; publish the ports needed.");
    public static readonly SecurityRuleDescriptor ComposeDockerSocket = Rule("DMC003", "Compose service mounts the Docker socket", Severity.High, "Do not mount /var/run/docker.sock; it is root on the host.");
    public static readonly SecurityRuleDescriptor ComposeHostRoot = Rule("DMC004", "Compose service mounts the host root filesystem", Severity.High, "Mount only the folder the service needs, read-only where possible.");
    public static readonly SecurityRuleDescriptor ComposeLiteralSecret = Rule("DMC005", "Compose environment holds a literal secret", Severity.High, "Use ${VAR} interpolation, an env_file outside the repository, or compose secrets.");
    public static readonly SecurityRuleDescriptor KubePrivileged = Rule("DMK001", "Kubernetes container runs privileged", Severity.High, "Set securityContext.privileged: false.");
    public static readonly SecurityRuleDescriptor KubeHostPath = Rule("DMK002", "Kubernetes hostPath volume", Severity.High, "Use a PersistentVolumeClaim, configMap, secret or emptyDir instead of hostPath.");
    public static readonly SecurityRuleDescriptor KubeRunsAsRoot = Rule("DMK003", "Kubernetes workload runs as root", Severity.Medium, "Set runAsNonRoot: true and a non-zero runAsUser.");
    public static readonly SecurityRuleDescriptor KubePrivilegeEscalation = Rule("DMK004", "Kubernetes container allows privilege escalation", Severity.Medium, "Set allowPrivilegeEscalation: false.");
    public static readonly SecurityRuleDescriptor KubeHostNamespace = Rule("DMK005", "Kubernetes pod shares a host namespace", Severity.Medium, "Remove hostNetwork/hostPID/hostIPC: true.");
    public static readonly SecurityRuleDescriptor KubeLiteralSecret = Rule("DMK006", "Kubernetes env holds a literal secret", Severity.High, "Use valueFrom.secretKeyRef instead of a literal value.");

    public static IReadOnlyList<SecurityRuleDescriptor> Rules { get; } =
    [
        ComposePrivileged, ComposeHostNetwork, ComposeDockerSocket, ComposeHostRoot, ComposeLiteralSecret,
        KubePrivileged, KubeHostPath, KubeRunsAsRoot, KubePrivilegeEscalation, KubeHostNamespace, KubeLiteralSecret,
    ];

    private static SecurityRuleDescriptor Rule(string id, string title, Severity severity, string fix) =>
        new(id, title, severity, SecurityFindingKind.RiskyConfiguration, fix);
}
