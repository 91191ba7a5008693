using System.Text.RegularExpressions;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Security;

/// <summary>One secret-detection rule. The regex must have a group named <c>secret</c> holding the credential.</summary>
internal sealed class SecretRule
{
    public SecretRule(string id, string title, Severity severity, Regex pattern, string[] keywords, double minEntropy = 0, int minLength = 0, Func<string, bool>? validator = null, bool generic = false)
    {
        Id = id;
        Title = title;
        Severity = severity;
        Pattern = pattern;
        Keywords = keywords;
        MinEntropy = minEntropy;
        MinLength = minLength;
        Validator = validator;
        Generic = generic;
    }

    /// <summary>Stable id, e.g. "DMS003".</summary>
    public string Id { get; }

    public string Title { get; }

    public Severity Severity { get; }

    /// <summary>The matcher; group <c>secret</c> is the credential.</summary>
    public Regex Pattern { get; }

    /// <summary>Lower-case substrings; a line containing none of them (case-insensitively) is never matched.</summary>
    public IReadOnlyList<string> Keywords { get; }

    /// <summary>Minimum Shannon entropy (bits per character) of the secret; 0 for none.</summary>
    public double MinEntropy { get; }

    /// <summary>Minimum length of the secret; 0 for none.</summary>
    public int MinLength { get; }

    /// <summary>Format check on the secret (checksums, decodable structure); null when the format allows none.</summary>
    public Func<string, bool>? Validator { get; }

    /// <summary>Context-based (assignment) rule: gives way to a specific rule matching the same text.</summary>
    public bool Generic { get; }
}
