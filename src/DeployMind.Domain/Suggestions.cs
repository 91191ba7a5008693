namespace DeployMind.Domain;

/// <summary>"Did you mean …?": the known word closest to a mistyped one (edit distance, ignoring case), when close enough to be a typo.</summary>
public static class Suggestions
{
    /// <summary>The closest of <paramref name="known"/> to <paramref name="typed"/>, or null when none is within a third of its length (at least 1, at most 3 edits).</summary>
    public static string? Closest(string typed, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(known);
        var limit = Math.Max(1, Math.Min(3, typed.Length / 3));
        return known
            .Select(k => (Known: k, Distance: Distance(typed.ToUpperInvariant(), k.ToUpperInvariant())))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .FirstOrDefault().Known;
    }

    /// <summary>The Levenshtein distance between two strings.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
