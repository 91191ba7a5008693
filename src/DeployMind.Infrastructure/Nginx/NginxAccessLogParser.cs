using System.Globalization;
using System.Text.Json;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Reads the lines written with <see cref="NginxConfigRenderer.LogFormat"/>. Tolerant: a line that is not such a JSON
/// object (a cut first line of a tail, a foreign format, garbage) is skipped, never an error.
/// </summary>
internal static class NginxAccessLogParser
{
    /// <summary>The entries in <paramref name="text"/>, in order, skipping unreadable lines.</summary>
    public static IEnumerable<NginxAccessLogEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            if (TryParseLine(line, out var entry))
            {
                yield return entry;
            }
        }
    }

    /// <summary>Parses one line; false when it is not a complete entry.</summary>
    public static bool TryParseLine(string line, out NginxAccessLogEntry entry)
    {
        entry = null!;
        var trimmed = line.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed.ToString());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !TryGetString(root, "msec", out var msec)
                || !TryParseMsec(msec, out var time)
                || !TryGetString(root, "status", out var statusText)
                || !int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                return false;
            }

            var address = TryGetString(root, "upstream_addr", out var addresses) ? Last(addresses) : null;
            double? milliseconds = TryGetString(root, "upstream_response_time", out var times)
                && Last(times) is { } lastTime
                && double.TryParse(lastTime, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
                    ? seconds * 1000
                    : null;
            entry = new NginxAccessLogEntry(time, address, status, milliseconds);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The last element of an upstream variable: nginx separates the servers tried for one request with ", " and
    /// internal redirects with " : "; "-" means none.
    /// </summary>
    public static string? Last(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var last = value[(value.LastIndexOf(',') + 1)..];
        var redirect = last.LastIndexOf(" : ", StringComparison.Ordinal);
        if (redirect >= 0)
        {
            last = last[(redirect + 3)..];
        }

        last = last.Trim();
        return last.Length == 0 || last == "-" ? null : last;
    }

    /// <summary>Parses <c>$msec</c> ("1700000000.123": seconds since the epoch, with milliseconds).</summary>
    public static bool TryParseMsec(string text, out DateTimeOffset time)
    {
        time = default;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253_402_300_799m)
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds((long)decimal.Round(seconds * 1000m));
        return true;
    }

    private static bool TryGetString(JsonElement root, string name, out string value)
    {
        value = string.Empty;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString() ?? string.Empty;
        return true;
    }
}
