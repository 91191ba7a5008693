using System.Text;

namespace DeployMind.Infrastructure.Security;

/// <summary>Builds the excerpt a finding carries: the line with every secret replaced, trimmed to about 120 characters.</summary>
internal static class FindingExcerpt
{
    public const int MaxExcerptLength = 120;

    private const string Marker = "[REDACTED]";

    /// <summary>The replacement for a secret: its first 4 characters + "…[REDACTED]", or just "[REDACTED]" under 12 characters.</summary>
    public static string Mask(ReadOnlySpan<char> secret) =>
        secret.Length < 12 ? Marker : string.Concat(secret[..4], "…", Marker);

    /// <summary>
    /// The line with each span in <paramref name="secrets"/> (start, length; non-overlapping, any order) masked, trimmed
    /// around <paramref name="focus"/> (the start of the finding's secret) to about <see cref="MaxExcerptLength"/> characters.
    /// </summary>
    public static string Excerpt(ReadOnlySpan<char> line, IReadOnlyList<(int Start, int Length)> secrets, int focus)
    {
        var ordered = secrets.OrderBy(s => s.Start).ToList();
        var builder = new StringBuilder(Math.Min(line.Length, 512));
        var position = 0;
        var focusInExcerpt = 0;
        foreach (var (start, length) in ordered)
        {
            if (start < position)
            {
                continue;
            }

            builder.Append(line[position..start]);
            if (start == focus)
            {
                focusInExcerpt = builder.Length;
            }

            builder.Append(Mask(line.Slice(start, length)));
            position = start + length;
        }

        builder.Append(line[position..]);
        var text = builder.ToString();
        if (ordered.Count == 0)
        {
            focusInExcerpt = Math.Min(focus, text.Length);
        }

        return Trim(text, focusInExcerpt);
    }

    private static string Trim(string text, int focus)
    {
        var leading = text.Length - text.TrimStart().Length;
        text = text.Trim();
        focus = Math.Max(0, focus - leading);
        if (text.Length <= MaxExcerptLength)
        {
            return text;
        }

        var start = Math.Clamp(focus - 40, 0, text.Length - MaxExcerptLength);
        var excerpt = text.Substring(start, MaxExcerptLength);
        return (start > 0 ? "…" : string.Empty) + excerpt + (start + MaxExcerptLength < text.Length ? "…" : string.Empty);
    }
}
