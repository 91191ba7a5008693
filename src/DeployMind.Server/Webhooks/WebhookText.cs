using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// Whether a verified body is text the event can be read from: UTF-8 throughout (GitHub sends nothing else), and no JSON
/// string escape that is not a character (a lone surrogate such as <c>\ud800</c>). Each problem is a 400 that says
/// where; JSON that is otherwise malformed is left to the payload's own reading, which says how.
/// </summary>
internal static class WebhookText
{
    /// <summary>What is wrong with <paramref name="body"/> as UTF-8, or null when nothing is.</summary>
    public static string? Utf8Problem(ReadOnlySpan<byte> body)
    {
        if (Utf8.IsValid(body))
        {
            return null;
        }

        var offset = 0;
        while (offset < body.Length && Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) == System.Buffers.OperationStatus.Done)
        {
            offset += consumed;
        }

        return string.Create(CultureInfo.InvariantCulture, $"The body is not valid UTF-8: the bytes at offset {offset} are not a character. GitHub sends UTF-8 JSON; check what produced this delivery.");
    }

    /// <summary>What is wrong with the strings of <paramref name="json"/>, or null when they all are text (or it is not JSON at all).</summary>
    public static string? JsonStringProblem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped)
                {
                    continue;
                }

                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"The JSON has a string at offset {reader.TokenStartIndex} whose \\u escapes are not a character (a lone surrogate such as \\ud800). Strings must be valid Unicode.");
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: reading the payload says what is wrong with it.
        }

        return null;
    }
}
