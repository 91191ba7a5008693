using DeployMind.Domain.Findings;

namespace DeployMind.Application.Security;

/// <summary>What the scan found and whether it blocks.</summary>
/// <param name="Report">Secrets and risky settings together, sorted by file and line.</param>
/// <param name="Blocking">The findings at or above the blocking severity.</param>
/// <param name="BlockAt">The lowest severity that blocks; null when nothing blocks (policy "none").</param>
public sealed record ScanResult(SecretScanReport Report, IReadOnlyList<SecurityFinding> Blocking, Severity? BlockAt)
{
    public bool Blocks => Blocking.Count > 0;

    /// <summary>"2 blocking findings: DMS001 … at config/app.env:3; …" (redacted excerpts only).</summary>
    public string Summary =>
        Blocks
            ? $"{Blocking.Count} blocking finding(s) (severity {BlockAt?.ToString().ToLowerInvariant()} or higher): "
                + string.Join("; ", Blocking.Take(5).Select(f => $"{f.RuleId} {f.Title} at {f.File}:{f.Line}"))
                + (Blocking.Count > 5 ? $"; and {Blocking.Count - 5} more" : string.Empty)
                + ". Remove the secret from the repository (and rotate it), mark a false positive with deploymind:allow, or run with --allow-findings."
            : $"{Report.Findings.Count} finding(s), none blocking; {Report.FilesScanned} files scanned";
}

/// <summary>The scan stage's work: committed secrets and risky configuration, judged by the blocking policy.</summary>
public sealed class ScanService
{
    private readonly ISecretScanner _secrets;
    private readonly IRiskyConfigScanner _config;

    public ScanService(ISecretScanner secrets, IRiskyConfigScanner config)
    {
        _secrets = secrets;
        _config = config;
    }

    /// <summary>Scans <paramref name="root"/>; findings at or above <paramref name="blockAt"/> block (default: high, so critical and high; null: none).</summary>
    public async Task<ScanResult> ScanAsync(string root, Severity? blockAt, CancellationToken cancellationToken)
    {
        var secrets = await _secrets.ScanAsync(root, cancellationToken);
        var config = await _config.ScanAsync(root, cancellationToken);
        var findings = secrets.Findings.Concat(config.Findings)
            .OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Column).ThenBy(f => f.RuleId, StringComparer.Ordinal)
            .ToList();
        var report = new SecretScanReport(findings, secrets.FilesScanned, secrets.FilesSkipped, secrets.BytesScanned, secrets.Duration + config.Duration);
        return new ScanResult(report, [.. findings.Where(f => blockAt is { } threshold && f.Severity >= threshold)], blockAt);
    }
}
