namespace DeployMind.Application.Security;

/// <summary>Looks for known vulnerabilities (and what else the scanner reports) in a built container image.</summary>
public interface IImageScanner
{
    /// <summary>
    /// Scans <paramref name="image"/>. A scanner that is not installed, disabled, too slow or failing gives a
    /// report with <see cref="ImageScanReport.Skipped"/> set and the reason, never an empty "clean" report.
    /// </summary>
    /// <param name="image">The image reference, e.g. <c>shop-api:3f2c1d0</c>.</param>
    /// <param name="cancellationToken">Cancels the scan (the scanner's process is killed).</param>
    Task<ImageScanReport> ScanAsync(string image, CancellationToken cancellationToken);
}
