using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Domain;

/// <summary>Durations as people write them in configuration: "500ms", "2s", "5m", "1h30m", "72h" (or "00:05:00").</summary>
public static partial class Duration
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="key"/> names the setting in the error.</summary>
    /// <exception cref="InvalidInputException">Not a duration.</exception>
    public static TimeSpan Parse(string? text, string key)
    {
        if (TryParse(text, out var value))
        {
            return value;
        }

        throw new InvalidInputException($"{key}: '{text}' is not a duration; write it like 500ms, 2s, 5m, 1h30m or 72h.");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && text.Contains(':', StringComparison.Ordinal))
        {
            return true;
        }

        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            return false;
        }

        value = TimeSpan.Zero;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
            value += match.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }

        return true;
    }

    /// <summary>"2s", "5m", "1h30m": the shortest way to write it back.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0}ms"
        : value.TotalSeconds < 60 ? $"{value.TotalSeconds:0.#}s"
        : value.TotalMinutes < 60 ? $"{value.TotalMinutes:0.#}m"
        : $"{value.TotalHours:0.#}h";

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)(?<unit>ms|s|m|h|d)")]
    private static partial Regex Part();
}
