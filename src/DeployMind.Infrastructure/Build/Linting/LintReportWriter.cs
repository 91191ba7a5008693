using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Renders lint findings as JSON (for scripts) or SARIF 2.1.0 (for GitHub code scanning and IDEs).</summary>
public static class LintReportWriter
{
    /// <summary>The SARIF schema the output declares.</summary>
    public const string SarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

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
        return Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var finding in findings)
            {
                writer.WriteStartObject();
                writer.WriteString("ruleId", finding.RuleId);
                writer.WriteString("severity", CamelCase(finding.Severity.ToString()));
                writer.WriteString("category", CamelCase(finding.Category.ToString()));
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
        return Write(writer =>
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
                writer.WriteString("severity", CamelCase(finding.Severity.ToString()));
                writer.WriteString("category", CamelCase(finding.Category.ToString()));
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
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

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
        writer.WriteStringValue(CamelCase(rule.Category.ToString()));
        writer.WriteStringValue("dockerfile");
        writer.WriteEndArray();
        if (rule.Category == LintCategory.Security)
        {
            // GitHub code scanning ranks security results by this CVSS-like score.
            writer.WriteString("security-severity", SecuritySeverity(rule.Severity));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "1.0",
    };

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

    private static string CamelCase(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
