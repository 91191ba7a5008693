using System.Text.Json;
using DeployMind.Application.Security;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Reports;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Renders a <see cref="SecretScanReport"/> as JSON (for scripts) or SARIF 2.1.0 (for GitHub code scanning and IDEs).
/// Only redacted excerpts are written; a finding never holds a secret in clear.
/// </summary>
public static class SecurityReportWriter
{
    /// <summary>The SARIF schema the output declares.</summary>
    public const string SarifSchema = SarifFormat.Schema;

    /// <summary>Every rule the scanners report: secret rules (DMS) then compose (DMC) and Kubernetes (DMK) rules.</summary>
    public static IReadOnlyList<SecurityRuleDescriptor> Rules { get; } =
    [
        .. SecretRuleCatalog.Rules.Select(r => new SecurityRuleDescriptor(r.Id, r.Title, r.Severity, SecurityFindingKind.Secret, "Revoke the credential, remove it from the repository history and load it from a secret store or environment variable.")),
        .. RiskyConfigRuleCatalog.Rules,
    ];

    /// <summary>
    /// <c>{"filesScanned", "bytesScanned", "durationMs", "findings": [{"ruleId", "title", "severity", "kind", "file", "line", "column", "excerpt"}], "skipped": [{"path", "reason"}]}</c>.
    /// </summary>
    public static string ToJson(SecretScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return SarifFormat.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("filesScanned", report.FilesScanned);
            writer.WriteNumber("bytesScanned", report.BytesScanned);
            writer.WriteNumber("durationMs", Math.Round(report.Duration.TotalMilliseconds, 1));
            writer.WriteStartArray("findings");
            foreach (var finding in report.Findings)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleId", finding.RuleId);
                writer.WriteString("title", finding.Title);
                writer.WriteString("severity", SarifFormat.CamelCase(finding.Severity.ToString()));
                writer.WriteString("kind", SarifFormat.CamelCase(finding.Kind.ToString()));
                writer.WriteString("file", finding.File);
                writer.WriteNumber("line", finding.Line);
                writer.WriteNumber("column", finding.Column);
                writer.WriteString("excerpt", finding.RedactedExcerpt);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("skipped");
            foreach (var skipped in report.FilesSkipped)
            {
                writer.WriteStartObject();
                writer.WriteString("path", skipped.Path);
                writer.WriteString("reason", SarifFormat.CamelCase(skipped.Reason.ToString()));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>A SARIF 2.1.0 log with one run: the rule catalogue as <c>tool.driver.rules</c> and one result per finding.</summary>
    public static string ToSarif(SecretScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return SarifFormat.Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", SarifSchema);
            writer.WriteString("version", "2.1.0");
            writer.WriteStartArray("runs");
            writer.WriteStartObject();
            writer.WriteStartObject("tool");
            writer.WriteStartObject("driver");
            writer.WriteString("name", "DeployMind");
            writer.WriteStartArray("rules");
            foreach (var rule in Rules)
            {
                WriteRule(writer, rule);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();

            writer.WriteStartArray("results");
            foreach (var finding in report.Findings)
            {
                WriteResult(writer, finding);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The SARIF level for a severity: error for High/Critical, warning for Medium, note for Low/Info.</summary>
    public static string Level(Severity severity) => SarifFormat.Level(severity);

    private static void WriteResult(Utf8JsonWriter writer, SecurityFinding finding)
    {
        writer.WriteStartObject();
        writer.WriteString("ruleId", finding.RuleId);
        var index = IndexOf(finding.RuleId);
        if (index >= 0)
        {
            writer.WriteNumber("ruleIndex", index);
        }

        writer.WriteString("level", Level(finding.Severity));
        writer.WriteStartObject("message");
        writer.WriteString("text", $"{finding.Title}: {finding.RedactedExcerpt}");
        writer.WriteEndObject();
        writer.WriteStartArray("locations");
        writer.WriteStartObject();
        writer.WriteStartObject("physicalLocation");
        writer.WriteStartObject("artifactLocation");
        writer.WriteString("uri", finding.File.Replace('\\', '/'));
        writer.WriteEndObject();
        writer.WriteStartObject("region");
        writer.WriteNumber("startLine", Math.Max(1, finding.Line));
        writer.WriteNumber("startColumn", Math.Max(1, finding.Column));
        writer.WriteStartObject("snippet");
        writer.WriteString("text", finding.RedactedExcerpt);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteStartObject("properties");
        writer.WriteString("severity", SarifFormat.CamelCase(finding.Severity.ToString()));
        writer.WriteString("kind", SarifFormat.CamelCase(finding.Kind.ToString()));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter writer, SecurityRuleDescriptor rule)
    {
        writer.WriteStartObject();
        writer.WriteString("id", rule.Id);
        writer.WriteStartObject("shortDescription");
        writer.WriteString("text", rule.Title);
        writer.WriteEndObject();
        writer.WriteStartObject("help");
        writer.WriteString("text", rule.Fix);
        writer.WriteEndObject();
        writer.WriteStartObject("defaultConfiguration");
        writer.WriteString("level", Level(rule.Severity));
        writer.WriteEndObject();
        writer.WriteStartObject("properties");
        writer.WriteStartArray("tags");
        writer.WriteStringValue("security");
        writer.WriteStringValue(rule.Kind == SecurityFindingKind.Secret ? "secret" : "configuration");
        writer.WriteEndArray();
        writer.WriteString("security-severity", SarifFormat.SecuritySeverity(rule.Severity));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static int IndexOf(string id)
    {
        for (var i = 0; i < Rules.Count; i++)
        {
            if (Rules[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

}
