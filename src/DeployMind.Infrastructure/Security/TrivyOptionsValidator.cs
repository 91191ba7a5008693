using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Security;

/// <summary>Validates <see cref="TrivyOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class TrivyOptionsValidator : IValidateOptions<TrivyOptions>
{
    /// <summary>The scanners whose results DeployMind reads.</summary>
    public static readonly IReadOnlyList<string> KnownScanners = ["vuln", "secret", "misconfig"];

    // DeployMind reads Trivy's JSON from standard output and sets the scanners itself.
    private static readonly string[] ReservedFlags = ["--format", "-f", "--output", "-o", "--scanners", "--security-checks"];

    public ValidateOptionsResult Validate(string? name, TrivyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            failures.Add("security.trivy.path must name the trivy program (e.g. \"trivy\" or \"/usr/local/bin/trivy\").");
        }

        if (!Duration.TryParse(options.Timeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            failures.Add($"security.trivy.timeout: '{options.Timeout}' is not a positive duration; write it like 90s, 5m or 1h.");
        }

        var scanners = options.ScannerList;
        if (scanners.Count == 0 || scanners.Any(s => !KnownScanners.Contains(s, StringComparer.Ordinal)))
        {
            failures.Add($"security.trivy.scanners: '{options.Scanners}' must be a comma-separated list of {string.Join(", ", KnownScanners)}.");
        }

        if (options.ExtraArgs.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("security.trivy.extraArgs must not contain empty elements (one element per argument).");
        }

        foreach (var flag in options.ExtraArgs.Where(IsReserved))
        {
            failures.Add($"security.trivy.extraArgs must not contain '{flag}': DeployMind reads Trivy's JSON from standard output and sets the scanners from security.trivy.scanners.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsReserved(string? argument) =>
        argument is not null
        && ReservedFlags.Any(flag => argument == flag || argument.StartsWith(flag + "=", StringComparison.Ordinal));
}
