namespace DeployMind.Domain.Findings;

/// <summary>What a security finding is about.</summary>
public enum SecurityFindingKind
{
    /// <summary>A committed credential (token, key, password).</summary>
    Secret = 0,

    /// <summary>A dangerous compose or Kubernetes setting (privileged, host mounts, root...).</summary>
    RiskyConfiguration = 1,

    /// <summary>A known vulnerability in a package of the built image (from an image scanner such as Trivy).</summary>
    Vulnerability = 2,
}
