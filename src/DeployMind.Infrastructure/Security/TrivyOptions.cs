namespace DeployMind.Infrastructure.Security;

/// <summary>The <c>security.trivy</c> section: the Trivy image scan run after an image is built.</summary>
public sealed class TrivyOptions
{
    public const string SectionName = "security:trivy";

    /// <summary>Whether to scan images at all; false reports the scan as skipped.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The trivy program: a name looked up on PATH, or a path.</summary>
    public string Path { get; set; } = "trivy";

    /// <summary>How long a scan may take (a duration: "90s", "5m"); a slower scan is killed and reported as failed.</summary>
    public string Timeout { get; set; } = "5m";

    /// <summary>Trivy's scanners, comma-separated (<c>--scanners</c>): any of vuln, secret, misconfig.</summary>
    public string Scanners { get; set; } = "vuln";

    /// <summary>More arguments for <c>trivy image</c>, one element each, e.g. <c>["--offline-scan", "--skip-db-update"]</c>.</summary>
    public IList<string> ExtraArgs { get; set; } = [];

    /// <summary>The scanners named in <see cref="Scanners"/>, trimmed, without empty entries.</summary>
    internal IReadOnlyList<string> ScannerList =>
        Scanners.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
