namespace DeployMind.Application.Security;

/// <summary>Looks for dangerous settings in docker compose files and Kubernetes manifests.</summary>
public interface IRiskyConfigScanner
{
    /// <summary>Scans the compose files and Kubernetes manifests under <paramref name="root"/>.</summary>
    /// <param name="root">The folder to scan; paths in the report are relative to it.</param>
    /// <param name="ct">Cancels the scan.</param>
    Task<SecretScanReport> ScanAsync(string root, CancellationToken ct);
}
