using System.Collections.Concurrent;

namespace DeployMind.Application.Security;

/// <summary>
/// The secret values one job has resolved (its app's <c>env.secret</c>): registered once, masked in every text redacted
/// through <see cref="ITextRedactor"/> and in the deployment's log. Scoped: a job's values never leak into another's.
/// </summary>
public sealed class SecretValues
{
    private const string Mask = "***";
    private readonly ConcurrentDictionary<string, byte> _values = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="value"/> (values shorter than 4 characters are too common to mask anywhere).</summary>
    public void Add(string? value)
    {
        if (value is { Length: >= 4 })
        {
            _values.TryAdd(value, 0);
        }
    }

    public int Count => _values.Count;

    /// <summary><paramref name="text"/> with every registered value replaced by ***.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_values.IsEmpty)
        {
            return text;
        }

        // Longest first: a value containing another is masked whole.
        foreach (var value in _values.Keys.OrderByDescending(v => v.Length))
        {
            text = text.Replace(value, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
