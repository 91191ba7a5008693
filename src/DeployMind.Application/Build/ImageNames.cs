using System.Text;
using System.Text.RegularExpressions;
using DeployMind.Domain;

namespace DeployMind.Application.Build;

/// <summary>Image naming rules (Docker's reference grammar, simplified to what DeployMind writes).</summary>
public static partial class ImageNames
{
    /// <summary>A valid repository name from an app or folder name: lower-case, [a-z0-9._-], no leading separator.</summary>
    public static string Repository(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        var repository = builder.ToString().Trim('-', '.', '_');
        return repository.Length == 0 ? "app" : repository;
    }

    /// <summary>Returns <paramref name="reference"/> when it is a valid image reference, else throws with what is wrong.</summary>
    /// <exception cref="InvalidInputException">Not a valid reference.</exception>
    public static string Validate(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return Reference().IsMatch(reference)
            ? reference
            : throw new InvalidInputException($"'{reference}' is not a valid image tag: use lower-case name[:tag], e.g. shop-api:1.4.2 (tag: letters, digits, '_', '.', '-', at most 128).");
    }

    [GeneratedRegex(@"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$")]
    private static partial Regex Reference();
}
