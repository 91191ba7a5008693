using System.Text;
using System.Text.Json;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Turns Trivy's JSON report (SchemaVersion 2) into <see cref="SecurityFinding"/>s: vulnerabilities, misconfigurations
/// and Trivy's own secret findings. A secret's value (Trivy's <c>Match</c> and <c>Code</c>) is never read.
/// </summary>
internal static class TrivyReportParser
{
    /// <summary>The report schema this parser reads.</summary>
    public const int SupportedSchemaVersion = 2;

    private const int MaxTitleLength = 100;
    private const int MaxExcerptLength = 120;
    private const string Redacted = "[REDACTED]";

    /// <summary>The findings in <paramref name="json"/>: most severe first, then by target, line and id; duplicates removed.</summary>
    /// <exception cref="FormatException">The text is not a Trivy JSON report this parser can read; the message says why.</exception>
    public static IReadOnlyList<SecurityFinding> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new FormatException("no JSON on standard output");
        }

        TrivyReport? report;
        try
        {
            report = JsonSerializer.Deserialize(json, TrivyJsonContext.Default.TrivyReport);
        }
        catch (JsonException ex)
        {
            // The exception's message names the position only, never the text around it (which may hold a secret).
            throw new FormatException($"not a JSON report: {ex.Message}", ex);
        }

        if (report is null)
        {
            throw new FormatException("the JSON is null, not a report");
        }

        if (report.SchemaVersion != SupportedSchemaVersion)
        {
            throw new FormatException(report.SchemaVersion is { } version
                ? $"SchemaVersion {version}; DeployMind reads SchemaVersion {SupportedSchemaVersion}"
                : "no SchemaVersion; this is not a Trivy JSON report");
        }

        var findings = new List<SecurityFinding>();
        var seen = new HashSet<(SecurityFindingKind, string, string, string)>();
        foreach (var result in report.Results ?? [])
        {
            if (result is null)
            {
                continue;
            }

            var target = Clean(result.Target, int.MaxValue) is { Length: > 0 } t ? t : Clean(report.ArtifactName, int.MaxValue);
            foreach (var v in result.Vulnerabilities ?? [])
            {
                if (v is not null && seen.Add((SecurityFindingKind.Vulnerability, v.VulnerabilityId ?? string.Empty, v.PkgName ?? string.Empty, target)))
                {
                    findings.Add(Vulnerability(v, target));
                }
            }

            foreach (var m in result.Misconfigurations ?? [])
            {
                if (m is not null && IsFailure(m.Status)
                    && seen.Add((SecurityFindingKind.RiskyConfiguration, m.Id ?? m.AvdId ?? string.Empty, target, Line(m.CauseMetadata?.StartLine))))
                {
                    findings.Add(Misconfiguration(m, target));
                }
            }

            foreach (var s in result.Secrets ?? [])
            {
                if (s is not null && seen.Add((SecurityFindingKind.Secret, s.RuleId ?? string.Empty, target, Line(s.StartLine))))
                {
                    findings.Add(Secret(s, target));
                }
            }
        }

        return
        [
            .. findings
                .OrderByDescending(f => f.Severity)
                .ThenBy(f => f.File, StringComparer.Ordinal)
                .ThenBy(f => f.Line)
                .ThenBy(f => f.RuleId, StringComparer.Ordinal)
                .ThenBy(f => f.Title, StringComparer.Ordinal),
        ];
    }

    /// <summary>Trivy's severity: CRITICAL, HIGH, MEDIUM, LOW; UNKNOWN (or anything else) is <see cref="Severity.Info"/>.</summary>
    public static Severity MapSeverity(string? severity) => severity?.Trim().ToUpperInvariant() switch
    {
        "CRITICAL" => Severity.Critical,
        "HIGH" => Severity.High,
        "MEDIUM" => Severity.Medium,
        "LOW" => Severity.Low,
        _ => Severity.Info,
    };

    /// <summary>"openssl 3.0.11-1~deb12u2 → fixed in 3.0.13-1~deb12u1 — openssl: Excessive time spent…".</summary>
    private static SecurityFinding Vulnerability(TrivyVulnerability v, string target)
    {
        var package = Clean(v.PkgName, MaxTitleLength) is { Length: > 0 } p ? p : "(unknown package)";
        var installed = Clean(v.InstalledVersion, MaxTitleLength);
        var fixedIn = Clean(v.FixedVersion, MaxTitleLength);
        var head = (installed.Length > 0 ? $"{package} {installed}" : package)
            + (fixedIn.Length > 0 ? $" → fixed in {fixedIn}" : " → no fix yet");
        var title = Clean(v.Title, MaxTitleLength);
        return new SecurityFinding(
            Clean(v.VulnerabilityId, MaxTitleLength) is { Length: > 0 } id ? id : "(no id)",
            title.Length > 0 ? $"{head} — {title}" : head,
            MapSeverity(v.Severity),
            target,
            Line: 0,
            Column: 0,
            installed.Length > 0 ? $"{package}@{installed}" : package)
        {
            Kind = SecurityFindingKind.Vulnerability,
        };
    }

    private static SecurityFinding Misconfiguration(TrivyMisconfiguration m, string target)
    {
        var id = Clean(m.Id, MaxTitleLength) is { Length: > 0 } i ? i : Clean(m.AvdId, MaxTitleLength);

        // The check's resolution is catalogue text; Trivy's Message can quote the offending configuration, so it is not copied.
        var excerpt = Clean(m.Resolution, MaxExcerptLength) is { Length: > 0 } r ? r : Clean(m.AvdId, MaxExcerptLength);
        return new SecurityFinding(
            id.Length > 0 ? id : "(no id)",
            Clean(m.Title, MaxTitleLength) is { Length: > 0 } title ? title : "Trivy misconfiguration",
            MapSeverity(m.Severity),
            target,
            Math.Max(0, m.CauseMetadata?.StartLine ?? 0),
            Column: 0,
            excerpt)
        {
            Kind = SecurityFindingKind.RiskyConfiguration,
        };
    }

    private static SecurityFinding Secret(TrivySecret s, string target)
    {
        var title = Clean(s.Title, MaxTitleLength) is { Length: > 0 } t ? t : Clean(s.Category, MaxTitleLength) + " secret";
        return new SecurityFinding(
            Clean(s.RuleId, MaxTitleLength) is { Length: > 0 } id ? id : "(no id)",
            title.Trim(),
            MapSeverity(s.Severity),
            target,
            Math.Max(0, s.StartLine ?? 0),
            Column: 0,
            Redacted)
        {
            Kind = SecurityFindingKind.Secret,
        };
    }

    private static bool IsFailure(string? status) =>
        string.IsNullOrEmpty(status) || status.Equals("FAIL", StringComparison.OrdinalIgnoreCase);

    private static string Line(int? line) => (line ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>One line: control characters and runs of whitespace become one space, trimmed, cut to <paramref name="max"/> with "…".</summary>
    internal static string Clean(string? text, int max)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(text.Length, 256));
        var space = false;
        foreach (var c in text.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(c);
        }

        return builder.Length <= max ? builder.ToString() : string.Concat(builder.ToString(0, max - 1).TrimEnd(), "…");
    }
}
