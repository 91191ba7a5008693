using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.GitHub;

/// <summary>Validates <see cref="GitHubOptions"/> at start; every failure names its configuration key.</summary>
internal sealed class GitHubOptionsValidator : IValidateOptions<GitHubOptions>
{
    public ValidateOptionsResult Validate(string? name, GitHubOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!IsHttpUrl(options.ApiUrl))
        {
            failures.Add($"github.apiUrl: '{options.ApiUrl}' is not an http(s) URL; write it like https://api.github.com/ or https://ghe.example.com/.");
        }

        if (string.IsNullOrWhiteSpace(options.TokenVariable) || !options.TokenVariable.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            failures.Add($"github.tokenVariable: '{options.TokenVariable}' must name an environment variable (letters, digits, _), e.g. GITHUB_TOKEN; the token itself never goes in the configuration.");
        }

        if (string.IsNullOrWhiteSpace(options.StatusContext) || options.StatusContext.Any(char.IsWhiteSpace))
        {
            failures.Add($"github.statusContext: '{options.StatusContext}' must be a non-empty word without spaces, e.g. deploymind.");
        }

        if (!string.IsNullOrEmpty(options.LinkBase) && !IsHttpUrl(options.LinkBase))
        {
            failures.Add($"github.linkBase: '{options.LinkBase}' is not an http(s) URL; write the DeployMind server's public address, e.g. https://deploy.example.com.");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add($"github.maxAttempts: {options.MaxAttempts} must be between 1 and 20.");
        }

        Positive(options.Backoff, "github.backoff", failures);
        Positive(options.MaxBackoff, "github.maxBackoff", failures);
        Positive(options.MaxRateLimitWait, "github.maxRateLimitWait", failures);
        Positive(options.RequestTimeout, "github.requestTimeout", failures);
        if (Duration.TryParse(options.Backoff, out var backoff) && Duration.TryParse(options.MaxBackoff, out var maxBackoff) && maxBackoff < backoff)
        {
            failures.Add($"github.maxBackoff: '{options.MaxBackoff}' must not be shorter than github.backoff ('{options.Backoff}').");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static void Positive(string? value, string key, List<string> failures)
    {
        if (!Duration.TryParse(value, out var duration) || duration <= TimeSpan.Zero)
        {
            failures.Add($"{key}: '{value}' is not a positive duration; write it like 500ms, 2s or 1m.");
        }
    }
}
