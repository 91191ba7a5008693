using DeployMind.Domain.Findings;

namespace DeployMind.Application.Security;

/// <summary>The outcome of an image scan.</summary>
/// <param name="Scanner">The scanner and its version when known, e.g. "trivy 0.50.1", or just "trivy".</param>
/// <param name="Skipped">
/// True when the image was not (fully) scanned: the scanner is missing or disabled, or it failed (then
/// <paramref name="SkipReason"/> starts with "trivy failed:"). A skipped scan is not a clean pass.
/// </param>
/// <param name="SkipReason">Why the scan was skipped; null when it ran.</param>
/// <param name="Findings">
/// Vulnerabilities, secrets and misconfigurations found in the image, most severe first; empty when skipped.
/// Secret findings carry the rule and location only, never the value.
/// </param>
/// <param name="Duration">Wall-clock time, including the scanner's start-up.</param>
public sealed record ImageScanReport(
    string Scanner,
    bool Skipped,
    string? SkipReason,
    IReadOnlyList<SecurityFinding> Findings,
    TimeSpan Duration)
{
    /// <summary>A report for a scan that did not run (or did not finish) because of <paramref name="reason"/>.</summary>
    public static ImageScanReport Skip(string scanner, string reason, TimeSpan duration) =>
        new(scanner, true, reason, [], duration);
}
