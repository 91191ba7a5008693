using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary><c>scan:</c> which findings block a deployment of the environment (a run may still pass with --allow-findings, recorded).</summary>
public sealed class ScanPolicyOptions
{
    /// <summary>Repository findings (secrets, risky settings) at or above this severity block: critical, high (default), medium, low, info or none.</summary>
    public string BlockAt { get; set; } = "high";

    /// <summary>Image findings (known vulnerabilities from Trivy) at or above this severity block: critical (default), high, medium, low, info or none.</summary>
    public string ImageBlockAt { get; set; } = "critical";

    /// <summary>The severity named by <paramref name="text"/>, or null for none.</summary>
    /// <exception cref="InvalidInputException">Not a severity; the message names <paramref name="key"/>.</exception>
    public static Domain.Findings.Severity? ParseThreshold(string? text, string key)
    {
        var value = text?.Trim();
        if (string.Equals(value, "none", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return !string.IsNullOrEmpty(value) && value.All(char.IsAsciiLetter) && Enum.TryParse<Domain.Findings.Severity>(value, ignoreCase: true, out var severity)
            ? severity
            : throw new InvalidInputException($"{key}: '{text}' is not a severity; use critical, high, medium, low, info or none.");
    }
}
