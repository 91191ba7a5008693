using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Application.Configuration;

/// <summary>
/// Configuration keys in their two spellings: the configuration path ("environments:production:target:docker:hosts:0:ssh")
/// and the dotted form errors show ("environments.production.target.docker.hosts[0].ssh").
/// </summary>
public static partial class ConfigurationKey
{
    /// <summary>The configuration path of a dotted, indexed or already ':'-separated key.</summary>
    public static string Normalize(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Replace("[", ":", StringComparison.Ordinal).Replace("]", string.Empty, StringComparison.Ordinal).Replace('.', ':');
    }

    /// <summary>The dotted form of a configuration path: sections joined by '.', list items as [index].</summary>
    public static string Display(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var display = new System.Text.StringBuilder(key.Length);
        foreach (var segment in key.Split(':'))
        {
            if (display.Length > 0 && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                display.Append('[').Append(segment).Append(']');
            }
            else
            {
                display.Append(display.Length > 0 ? "." : string.Empty).Append(segment);
            }
        }

        return display.ToString();
    }

    /// <summary>The configuration path the segments of <paramref name="key"/> above its last one name; null at the top level.</summary>
    public static string? Parent(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var at = key.LastIndexOf(':');
        return at < 0 ? null : key[..at];
    }

    /// <summary>
    /// The key an error message starts with, as written there ("environments.production.strategy: 'x' is not a strategy"
    /// starts with "environments.production.strategy", "nginx:ListenAddress 'x' must be" with "nginx:ListenAddress"); null when
    /// it starts with a word (keys start with a lower-case letter, sentences do not).
    /// </summary>
    public static string? Leading(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = LeadingKey().Match(message);
        return match.Success ? match.Value : null;
    }

    [GeneratedRegex(@"^[a-z][A-Za-z0-9_\-]*(?:[.:][A-Za-z0-9_\-]+|\[\d+\])*")]
    private static partial Regex LeadingKey();
}
