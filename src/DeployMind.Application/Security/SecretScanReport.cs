using DeployMind.Domain.Findings;

namespace DeployMind.Application.Security;

/// <summary>The outcome of a scan.</summary>
/// <param name="Findings">Sorted by file (ordinal), line, column, rule id.</param>
/// <param name="FilesScanned">Files whose content was examined.</param>
/// <param name="FilesSkipped">Files (or whole folders, with a trailing '/') left out, and why.</param>
/// <param name="BytesScanned">Bytes of the examined files.</param>
/// <param name="Duration">Wall-clock time of the scan.</param>
public sealed record SecretScanReport(
    IReadOnlyList<SecurityFinding> Findings,
    int FilesScanned,
    IReadOnlyList<SkippedFile> FilesSkipped,
    long BytesScanned,
    TimeSpan Duration);
