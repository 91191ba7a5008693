namespace DeployMind.Application.Security;

/// <summary>Looks for committed credentials in a source tree.</summary>
public interface ISecretScanner
{
    /// <summary>Scans every eligible file under <paramref name="root"/>.</summary>
    /// <param name="root">The folder to scan; paths in the report are relative to it.</param>
    /// <param name="ct">Cancels the scan.</param>
    Task<SecretScanReport> ScanAsync(string root, CancellationToken ct);
}
