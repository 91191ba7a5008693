using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>The one JSON style of <c>--output json</c>: camelCase, enums as strings, indented.</summary>
internal static class Json
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The same style on one line (JSON lines output).</summary>
    public static JsonSerializerOptions CompactOptions { get; } = new(Options) { WriteIndented = false };

    /// <summary>Writes <paramref name="value"/> as JSON, raw (no markup, no wrapping).</summary>
    public static void Write<T>(IAnsiConsole console, T value)
    {
        console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(value, Options));
        console.Profile.Out.Writer.Flush();
    }
}
