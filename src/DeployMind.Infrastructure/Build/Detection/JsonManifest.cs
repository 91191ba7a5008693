using System.Text.Json;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>Tolerant helpers over System.Text.Json for package.json and composer.json.</summary>
internal static class JsonManifest
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    /// <summary>The parsed document when <paramref name="text"/> is a JSON object, otherwise null (the caller owns the document).</summary>
    public static JsonDocument? TryParseObject(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            var document = JsonDocument.Parse(text, Options);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The string at <paramref name="name"/> in <paramref name="element"/>, or null.</summary>
    public static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The object at <paramref name="name"/>, or an undefined element.</summary>
    public static JsonElement GetObject(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Object
            ? value
            : default;

    /// <summary>The property names of the object at <paramref name="name"/> (e.g. the dependency names), in document order.</summary>
    public static IReadOnlyList<string> GetKeys(JsonElement element, string name)
    {
        var value = GetObject(element, name);
        return value.ValueKind == JsonValueKind.Object ? [.. value.EnumerateObject().Select(property => property.Name)] : [];
    }
}
