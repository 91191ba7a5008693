using System.Text;
using System.Text.RegularExpressions;
using DeployMind.Domain.Findings;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// DeployMind's secret rules, most specific first: a generic (assignment) rule gives way to a specific rule
/// that matched the same text. Every regex names the credential as group <c>secret</c>.
/// </summary>
internal static partial class SecretRuleCatalog
{
    /// <summary>All rules (at most 64: the scanner selects them with a bit mask), specific formats first, generic assignment rules last.</summary>
    public static IReadOnlyList<SecretRule> Rules { get; } =
    [
        new("DMS001", "AWS access key id", Severity.High, AwsAccessKeyId(), ["akia", "asia", "abia", "acca"], minEntropy: 3.0),
        new("DMS002", "AWS secret access key", Severity.Critical, AwsSecretAccessKey(), ["aws"], minEntropy: 4.0),
        new("DMS003", "GitHub token (classic)", Severity.Critical, GitHubClassicToken(), ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], minEntropy: 3.5),
        new("DMS004", "GitHub fine-grained personal access token", Severity.Critical, GitHubFineGrainedToken(), ["github_pat_"], minEntropy: 3.5),
        new("DMS005", "GitLab personal access token", Severity.Critical, GitLabToken(), ["glpat-"], minEntropy: 3.0),
        new("DMS006", "Private key", Severity.Critical, PrivateKey(), ["private key"]),
        new("DMS007", "Slack token", Severity.High, SlackToken(), ["xoxb-", "xoxp-", "xoxa-", "xoxr-"], minEntropy: 3.0),
        new("DMS008", "Slack incoming webhook", Severity.High, SlackWebhook(), ["hooks.slack.com"], minEntropy: 3.0),
        new("DMS009", "Stripe live secret or restricted key", Severity.Critical, StripeLiveKey(), ["sk_live_", "rk_live_"], minEntropy: 3.0),
        new("DMS010", "Stripe test secret key", Severity.Low, StripeTestKey(), ["sk_test_"], minEntropy: 3.0),
        new("DMS011", "Google API key", Severity.High, GoogleApiKey(), ["aiza"], minEntropy: 3.5),
        new("DMS012", "OpenAI API key", Severity.Critical, OpenAiKey(), ["sk-proj-", "sk-svcacct-", "sk-admin-", "t3blbkfj"], minEntropy: 3.5),
        new("DMS013", "Anthropic API key", Severity.Critical, AnthropicKey(), ["sk-ant-"], minEntropy: 3.5),
        new("DMS014", "Groq API key", Severity.High, GroqKey(), ["gsk_"], minEntropy: 3.5),
        new("DMS015", "npm access token", Severity.High, NpmToken(), ["npm_"], minEntropy: 3.5),
        new("DMS016", "PyPI upload token", Severity.High, PyPiToken(), ["pypi-ageichlwas5vcmc"], minEntropy: 3.5),
        new("DMS017", "SendGrid API key", Severity.High, SendGridKey(), ["sg."], minEntropy: 3.5),
        new("DMS018", "Twilio API key", Severity.High, TwilioApiKey(), ["twilio"], minEntropy: 3.0),
        new("DMS019", "Twilio auth token", Severity.High, TwilioAuthToken(), ["twilio"], minEntropy: 3.0),
        new("DMS020", "Azure AD client secret", Severity.Critical, AzureClientSecret(), ["q~"], minEntropy: 3.5),
        new("DMS021", "JSON Web Token", Severity.Medium, JsonWebToken(), ["eyj"], validator: IsJwt),
        new("DMS022", "Hard-coded password or secret", Severity.High, GenericSecretAssignment(), ["password", "passwd", "pwd", "secret", "api_key", "api-key", "apikey", "token"], minEntropy: 3.0, minLength: 8, validator: LooksLikePassword, generic: true),
    ];

    /// <summary>Every keyword of every rule, for the file- and line-level prefilter.</summary>
    public static IReadOnlyList<string> AllKeywords { get; } = [.. Rules.SelectMany(r => r.Keywords).Distinct(StringComparer.Ordinal)];

    [GeneratedRegex(@"(?<![A-Z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])")]
    private static partial Regex AwsAccessKeyId();

    [GeneratedRegex(@"(?i:aws)[A-Za-z0-9_.\-]{0,30}?(?i:secret|sk)[A-Za-z0-9_.\-]{0,30}['""]?\s*(?::|=|:=|=>)\s*['""]?(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])")]
    private static partial Regex AwsSecretAccessKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])")]
    private static partial Regex GitHubClassicToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])")]
    private static partial Regex GitHubFineGrainedToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>glpat-[A-Za-z0-9_\-]{20})(?![A-Za-z0-9_\-])")]
    private static partial Regex GitLabToken();

    [GeneratedRegex(@"(?<secret>-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----)")]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?<secret>xox[bpar]-[0-9]{10,13}-[0-9A-Za-z\-]{10,80})")]
    private static partial Regex SlackToken();

    [GeneratedRegex(@"(?<secret>https://hooks\.slack\.com/services/T[A-Z0-9]{8,12}/B[A-Z0-9]{8,12}/[A-Za-z0-9]{24})(?![A-Za-z0-9])")]
    private static partial Regex SlackWebhook();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,99})(?![A-Za-z0-9])")]
    private static partial Regex StripeLiveKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>sk_test_[A-Za-z0-9]{24,99})(?![A-Za-z0-9])")]
    private static partial Regex StripeTestKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<secret>AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])")]
    private static partial Regex GoogleApiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,250}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_\-])")]
    private static partial Regex OpenAiKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<secret>sk-ant-(?:api|admin|oat)[0-9]{2}-[A-Za-z0-9_\-]{40,120})(?![A-Za-z0-9_\-])")]
    private static partial Regex AnthropicKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>gsk_[A-Za-z0-9]{52})(?![A-Za-z0-9])")]
    private static partial Regex GroqKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])")]
    private static partial Regex NpmToken();

    [GeneratedRegex(@"(?<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})")]
    private static partial Regex PyPiToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?![A-Za-z0-9_\-])")]
    private static partial Regex SendGridKey();

    [GeneratedRegex(@"(?i:twilio)[A-Za-z0-9_.\-]{0,40}['""]?\s*(?::|=|:=|=>)\s*['""]?(?<secret>SK[0-9a-fA-F]{32})(?![A-Za-z0-9])")]
    private static partial Regex TwilioApiKey();

    [GeneratedRegex(@"(?i:twilio)[A-Za-z0-9_.\-]{0,30}(?i:auth|token|secret)[A-Za-z0-9_.\-]{0,30}['""]?\s*(?::|=|:=|=>)\s*['""]?(?<secret>[0-9a-f]{32})(?![A-Za-z0-9])")]
    private static partial Regex TwilioAuthToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.~\-])(?<secret>[A-Za-z0-9_.\-]{3}[0-9]Q~[A-Za-z0-9_.~\-]{31,34})(?![A-Za-z0-9_.~\-])")]
    private static partial Regex AzureClientSecret();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})(?![A-Za-z0-9_\-])")]
    private static partial Regex JsonWebToken();

    [GeneratedRegex(@"(?i:password|passwd|pwd|secret|api[_\-]?key|token)[A-Za-z0-9_\-]*['""]?\s*(?::|=|:=|=>)\s*(?<quote>['""]?)(?<secret>(?>[^\s'""`,;(){}\[\]<>]{8,200}))(?!\()")]
    private static partial Regex GenericSecretAssignment();

    /// <summary>
    /// An assigned value that mixes letters and digits (or upper, lower and symbols) rather than a word or a
    /// kebab-case name such as <c>secretName: orders-client</c>.
    /// </summary>
    internal static bool LooksLikePassword(string value)
    {
        bool upper = false, lower = false, digit = false, symbol = false;
        foreach (var c in value)
        {
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
            symbol |= !char.IsAsciiLetterOrDigit(c);
        }

        return (digit && (upper || lower)) || (upper && lower && symbol);
    }

    /// <summary>A JWT's header must be base64url JSON naming an algorithm.</summary>
    internal static bool IsJwt(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        var header = token[..dot].Replace('-', '+').Replace('_', '/');
        header = header.PadRight(header.Length + ((4 - (header.Length % 4)) % 4), '=');
        var bytes = new byte[header.Length];
        if (!Convert.TryFromBase64String(header, bytes, out var written))
        {
            return false;
        }

        var json = Encoding.UTF8.GetString(bytes, 0, written);
        return json.StartsWith('{') && json.Contains("\"alg\"", StringComparison.Ordinal);
    }
}
