using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Security;

/// <summary>Values that look like secrets but are placeholders, documentation examples or references.</summary>
internal static partial class SecretAllowlist
{
    private static readonly HashSet<string> PlaceholderWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "changeme", "change-me", "change_me", "example", "dummy", "sample", "test", "testing", "placeholder",
        "password", "secret", "token", "redacted", "none", "null", "nil", "undefined", "true", "false", "todo",
        "your-token", "your_token", "yourtoken", "mysecret", "mypassword", "fake", "foobar",
    };

    /// <summary>True when <paramref name="value"/> is not a real credential.</summary>
    public static bool IsAllowed(string value)
    {
        var trimmed = value.Trim().Trim('"', '\'', '`');
        if (trimmed.Length == 0 || PlaceholderWords.Contains(trimmed))
        {
            return true;
        }

        // Documentation examples: AWS's documented key id (ends in EXAMPLE) and secret key (ends in EXAMPLEKEY), ...EXAMPLE.
        if (trimmed.Contains("EXAMPLE", StringComparison.OrdinalIgnoreCase)
            || trimmed.Contains("dummy", StringComparison.OrdinalIgnoreCase)
            || trimmed.Contains("placeholder", StringComparison.OrdinalIgnoreCase)
            || trimmed.Contains("xxxx", StringComparison.OrdinalIgnoreCase)
            || trimmed.Contains("****", StringComparison.Ordinal)
            || trimmed.Contains("....", StringComparison.Ordinal)
            || trimmed.Contains('…', StringComparison.Ordinal))
        {
            return true;
        }

        // Interpolations and templates: ${VAR}, $VAR, {{ x }}, <your-token>, %(name)s, #{x}.
        return trimmed.Contains("${", StringComparison.Ordinal)
            || trimmed.Contains("{{", StringComparison.Ordinal)
            || trimmed.Contains("#{", StringComparison.Ordinal)
            || trimmed.Contains("%(", StringComparison.Ordinal)
            || VariableReference().IsMatch(trimmed)
            || AngleBracketPlaceholder().IsMatch(trimmed)
            || RepeatedCharacter().IsMatch(trimmed);
    }

    /// <summary>
    /// For assignment rules: the right-hand side is code, not a literal (<c>process.env.DB_PASSWORD</c>,
    /// <c>settings.Token</c>, <c>os.environ</c>, a bare upper-case constant name) or a URL without credentials.
    /// </summary>
    public static bool IsReference(string value) =>
        DottedIdentifier().IsMatch(value) || ConstantName().IsMatch(value) || PlainUrl().IsMatch(value);

    [GeneratedRegex(@"^[a-z][a-z0-9+.\-]*://[^@\s]+$", RegexOptions.IgnoreCase)]
    private static partial Regex PlainUrl();

    [GeneratedRegex(@"^\$[A-Za-z_][A-Za-z0-9_]*$|^\$\(")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^<[^<>]+>$")]
    private static partial Regex AngleBracketPlaceholder();

    [GeneratedRegex(@"^(.)\1+$")]
    private static partial Regex RepeatedCharacter();

    [GeneratedRegex(@"^[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|::|->|\?\.)[A-Za-z_$][A-Za-z0-9_$]*)+$")]
    private static partial Regex DottedIdentifier();

    [GeneratedRegex(@"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")]
    private static partial Regex ConstantName();
}
