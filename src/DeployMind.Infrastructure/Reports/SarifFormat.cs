using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Reports;

/// <summary>What every DeployMind JSON/SARIF report shares: the writer settings and the severity mappings.</summary>
internal static class SarifFormat
{
    /// <summary>The SARIF schema reports declare.</summary>
    public const string Schema = "https://json.schemastore.org/sarif-2.1.0.json";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The SARIF level for a severity: error for High/Critical, warning for Medium, note for Low/Info.</summary>
    public static string Level(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "error",
        Severity.Medium => "warning",
        _ => "note",
    };

    /// <summary>GitHub code scanning's <c>security-severity</c> score for a severity.</summary>
    public static string SecuritySeverity(Severity severity) => severity switch
    {
        Severity.Critical => "9.5",
        Severity.High => "8.0",
        Severity.Medium => "5.5",
        Severity.Low => "3.0",
        _ => "1.0",
    };

    public static string CamelCase(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    /// <summary>Runs <paramref name="write"/> on an indented, readable JSON writer and returns the text.</summary>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
