using System.Text.Json;
using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Reports;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Renders lint findings as JSON (for scripts) or SARIF 2.1.0 (for GitHub code scanning and IDEs).</summary>
public static class LintReportWriter
{
    /// <summary>The SARIF schema the output declares.</summary>
    public const string SarifSchema = SarifFormat.Schema;

    /// <summary>
    /// A JSON array of findings: <c>[{"ruleId", "severity", "category", "line", "message", "fix", "file"}]</c>,
    /// severity and category in camelCase ("high", "security").
    /// </summary>
    /// <param name="findings">The linter's findings.</param>
    /// <param name="file">The Dockerfile's path as the user should see it.</param>
    public static string ToJson(IReadOnlyList<LintFinding> findings, string file)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(file);
        return SarifFormat.Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var finding in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleId", finding.RuleId);
                writer.WriteString("severity", SarifFormat.CamelCase(finding.Severity.ToString()));
                writer.WriteString("category", SarifFormat.CamelCase(finding.Category.ToString()));
                writer.WriteNumber("line", finding.Line);
                writer.WriteString("message", finding.Message);
                writer.WriteString("fix", finding.Fix);
                writer.WriteString("file", file);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>A SARIF 2.1.0 log with one run: the rule catalogue as <c>tool.driver.rules</c> and one result per finding.</summary>
    /// <param name="findings">The linter's findings.</param>
    /// <param name="file">The Dockerfile's path, used as the artifact URI.</param>
    public static string ToSarif(IReadOnlyList<LintFinding> findings, string file)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(file);
        var rules = LintRuleCatalog.Rules;
        var uri = file.Replace('\\', '/');
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
            foreach (var rule in rules)
            {
                WriteRule(writer, rule);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();

            writer.WriteStartArray("results");
            foreach (var finding in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleId", finding.RuleId);
                var index = IndexOf(rules, finding.RuleId);
                if (index >= 0)
                {
                    writer.WriteNumber("ruleIndex", index);
                }

                writer.WriteString("level", Level(finding.Severity));
                writer.WriteStartObject("message");
                writer.WriteString("text", finding.Message);
                writer.WriteEndObject();
                writer.WriteStartArray("locations");
                writer.WriteStartObject();
                writer.WriteStartObject("physicalLocation");
                writer.WriteStartObject("artifactLocation");
                writer.WriteString("uri", uri);
                writer.WriteEndObject();
                writer.WriteStartObject("region");
                writer.WriteNumber("startLine", Math.Max(1, finding.Line));
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteStartObject("properties");
                writer.WriteString("fix", finding.Fix);
                writer.WriteString("severity", SarifFormat.CamelCase(finding.Severity.ToString()));
                writer.WriteString("category", SarifFormat.CamelCase(finding.Category.ToString()));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The SARIF level for a severity: error for High/Critical, warning for Medium, note for Low/Info.</summary>
    public static string Level(Severity severity) => SarifFormat.Level(severity);

    private static void WriteRule(Utf8JsonWriter writer, LintRuleDescriptor rule)
    {
        writer.WriteStartObject();
        writer.WriteString("id", rule.Id);
        writer.WriteString("name", rule.Name);
        writer.WriteStartObject("shortDescription");
        writer.WriteString("text", rule.Title);
        writer.WriteEndObject();
        writer.WriteStartObject("fullDescription");
        writer.WriteString("text", rule.Description);
        writer.WriteEndObject();
        writer.WriteStartObject("help");
        writer.WriteString("text", $"{rule.Description} Fix: {rule.Fix} Equivalent: {rule.Equivalent}.");
        writer.WriteEndObject();
        writer.WriteStartObject("defaultConfiguration");
        writer.WriteString("level", Level(rule.Severity));
        writer.WriteEndObject();
        writer.WriteStartObject("properties");
        writer.WriteStartArray("tags");
        writer.WriteStringValue(SarifFormat.CamelCase(rule.Category.ToString()));
        writer.WriteStringValue("dockerfile");
        writer.WriteEndArray();
        if (rule.Category == LintCategory.Security)
        {
            // GitHub code scanning ranks security results by this CVSS-like score.
            writer.WriteString("security-severity", SarifFormat.SecuritySeverity(rule.Severity));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static int IndexOf(IReadOnlyList<LintRuleDescriptor> rules, string id)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            if (rules[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

}
