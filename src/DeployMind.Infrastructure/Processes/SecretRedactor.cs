namespace DeployMind.Infrastructure.Processes;

/// <summary>Replaces known secret values with <c>***</c> in text bound for logs and records.</summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);

        // Longest first, so a secret that contains another is masked whole. Very short values
        // would mask ordinary text everywhere; they are still masked, but only when 3+ chars.
        _secrets = [.. secrets.Where(s => !string.IsNullOrEmpty(s) && s.Length >= 3).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>Whether there is anything to redact.</summary>
    public bool IsEmpty => _secrets.Length == 0;

    /// <summary>The text with every secret replaced.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return text;
    }
}
