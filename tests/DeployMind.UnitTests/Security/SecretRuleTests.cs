using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Security;
using static DeployMind.UnitTests.Security.FakeSecrets;

namespace DeployMind.UnitTests.Security;

/// <summary>Every secret rule: a true positive at an exact line and column, and look-alikes that must not fire.</summary>
public sealed class SecretRuleTests
{
    /// <summary>(rule, the line holding the secret, the secret, expected 1-based column). The line is written as line 2.</summary>
    public static TheoryData<string, string, string, int> TruePositives => new()
    {
        { "DMS001", "aws_access_key_id = " + AwsAccessKeyId, AwsAccessKeyId, 21 },
        { "DMS002", "aws_secret_access_key = " + AwsSecretAccessKey, AwsSecretAccessKey, 25 },
        { "DMS003", "token: " + GitHubClassic, GitHubClassic, 8 },
        { "DMS003", "  GH=" + GitHubOAuth, GitHubOAuth, 6 },
        { "DMS004", "GITHUB_TOKEN=" + GitHubFineGrained, GitHubFineGrained, 14 },
        { "DMS005", "GITLAB=" + GitLab, GitLab, 8 },
        { "DMS006", PrivateKeyHeader("OPENSSH "), PrivateKeyHeader("OPENSSH "), 1 },
        { "DMS006", "key = \"" + PrivateKeyHeader("RSA "), PrivateKeyHeader("RSA "), 8 },
        { "DMS006", PrivateKeyHeader("EC "), PrivateKeyHeader("EC "), 1 },
        { "DMS006", PrivateKeyHeader(string.Empty), PrivateKeyHeader(string.Empty), 1 },
        { "DMS006", "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----", "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----", 1 },
        { "DMS007", "SLACK=" + SlackBot, SlackBot, 7 },
        { "DMS008", "url: " + SlackWebhook, SlackWebhook, 6 },
        { "DMS009", "stripe.api_key = \"" + StripeLive + "\"", StripeLive, 19 },
        { "DMS010", "STRIPE=" + StripeTest, StripeTest, 8 },
        { "DMS011", "const key = \"" + GoogleApiKey + "\";", GoogleApiKey, 14 },
        { "DMS012", "OPENAI_API_KEY=" + OpenAiProject, OpenAiProject, 16 },
        { "DMS012", "openai.key = '" + OpenAiLegacy + "'", OpenAiLegacy, 15 },
        { "DMS013", "ANTHROPIC_API_KEY=" + Anthropic, Anthropic, 19 },
        { "DMS014", "GROQ=" + Groq, Groq, 6 },
        { "DMS015", "//registry.npmjs.org/:_authToken=" + Npm, Npm, 34 },
        { "DMS016", "PYPI_UPLOAD=" + PyPi, PyPi, 13 },
        { "DMS017", "SENDGRID=" + SendGrid, SendGrid, 10 },
        { "DMS018", "TWILIO_API_KEY=" + TwilioApiKey, TwilioApiKey, 16 },
        { "DMS019", "TWILIO_AUTH_TOKEN=" + TwilioAuthToken, TwilioAuthToken, 19 },
        { "DMS020", "AZURE_CLIENT_SECRET=" + AzureClientSecret, AzureClientSecret, 21 },
        { "DMS021", "Authorization: Bearer " + Jwt, Jwt, 23 },
        { "DMS022", "DB_PASSWORD=" + Password, Password, 13 },
        { "DMS022", "  \"password\": \"" + Password + "\",", Password, 16 },
        { "DMS022", "passwd: " + Password, Password, 9 },
        { "DMS022", "api_key = '" + Password + "'", Password, 12 },
        { "DMS022", "DATABASE_URL_PASSWORD=postgres://app:" + Password + "@db/app", "postgres://app:" + Password + "@db/app", 23 },
    };

    /// <summary>(rule that must stay silent, the line).</summary>
    public static TheoryData<string, string> FalsePositives => new()
    {
        { "DMS001", "aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE" },
        { "DMS001", "id = AKIA" + Random(12, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") },
        { "DMS002", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYEXAMPLEKEY" }, // deploymind:allow (test data)
        { "DMS002", "aws_secret_access_key = " + string.Concat(Enumerable.Repeat("ab", 20)) },
        { "DMS003", "token: gh" + "p_" + new string('x', 36) },
        { "DMS003", "token: gh" + "p_" + Random(20, 41) },
        { "DMS003", "token: gh" + "x_" + Random(36, 42) },
        { "DMS004", "GITHUB_TOKEN=github" + "_pat_" + Random(22, 43) },
        { "DMS005", "GITLAB=gl" + "pat-" + Random(10, 44) },
        { "DMS006", "-----BEGIN PUBLIC KEY-----" },
        { "DMS006", "-----BEGIN CERTIFICATE-----" },
        { "DMS007", "SLACK=xo" + "xb-123" },
        { "DMS008", "url: https://hooks.slack.com/" + "services/T000/B000/XXXX" },
        { "DMS009", "STRIPE=sk" + "_live_" + new string('x', 24) },
        { "DMS010", "STRIPE=sk" + "_test_1234" },
        { "DMS011", "key = AI" + "za" + Random(20, 45) },
        { "DMS012", "OPENAI_API_KEY=sk-1234" },
        { "DMS012", "OPENAI_API_KEY=sk-" + "proj-" + Random(10, 46) },
        { "DMS012", "ANTHROPIC=" + Anthropic },
        { "DMS013", "ANTHROPIC=sk-" + "ant-api03-" + Random(10, 47) },
        { "DMS014", "GROQ=gs" + "k_" + Random(10, 48) },
        { "DMS015", "npm_config_cache=/tmp/npm" },
        { "DMS015", "NPM=np" + "m_" + new string('a', 36) },
        { "DMS016", "PYPI=pypi-" + "AgEIcHlwaS5vcmc" + "short" },
        { "DMS017", "SENDGRID=S" + "G.short.x" },
        { "DMS018", "OTHER_KEY=" + TwilioApiKey },
        { "DMS018", "TWILIO_API_KEY=S" + "K" + new string('0', 32) },
        { "DMS019", "TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN}" },
        { "DMS020", "AZURE_CLIENT_SECRET=abc8" + "Q~" + new string('x', 34) },
        { "DMS020", "AZURE_CLIENT_SECRET=abc8" + "Q~short" },
        { "DMS021", "Authorization: Bearer eyJ" + Random(20, 49) + ".eyJ" + Random(20, 50) + "." + Random(20, 51) },
        { "DMS022", "password: ${DB_PASSWORD}" },
        { "DMS022", "password: $DB_PASSWORD" },
        { "DMS022", "password = \"changeme\"" },
        { "DMS022", "secret: {{ .Values.secret }}" },
        { "DMS022", "token: <your-token>" },
        { "DMS022", "password: \"********\"" },
        { "DMS022", "api_key = \"example\"" },
        { "DMS022", "password: dummy" },
        { "DMS022", "password = process.env.DB_PASSWORD" },
        { "DMS022", "password = getPassword();" },
        { "DMS022", "token = request.headers.get(\"x\")" },
        { "DMS022", "password: aaaaaaaaaaaa" },
        { "DMS022", "password: abababab" },
        { "DMS022", "password: DB_PASSWORD_FROM_VAULT" },
        { "DMS022", "password: short1" },
        { "DMS022", "secretName: orders-client" },
        { "DMS022", "token_url: https://login.microsoftonline.com/oauth2/v2.0/token" },
        { "DMS022", "tokenEndpoint: https://login.example.org/oauth/token" },
    };

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void ScanText_TruePositive_FiresAtExactLineAndColumn(string ruleId, string line, string secret, int column)
    {
        var findings = Scan("# settings\n" + line + "\n# end\n");

        var finding = Assert.Single(findings, f => f.RuleId == ruleId);
        Assert.Equal(2, finding.Line);
        Assert.Equal(column, finding.Column);
        Assert.Equal("config/app.env", finding.File);
        Assert.Equal(SecurityFindingKind.Secret, finding.Kind);
        Assert.Equal(secret, line.Substring(column - 1, secret.Length));
    }

    [Theory]
    [MemberData(nameof(FalsePositives))]
    public void ScanText_LookAlike_DoesNotFire(string ruleId, string line)
    {
        var findings = Scan("# settings\n" + line + "\n");

        Assert.DoesNotContain(findings, f => f.RuleId == ruleId);
    }

    [Theory]
    [MemberData(nameof(TruePositives))]
    public void ScanText_TruePositive_ExcerptIsRedacted(string ruleId, string line, string secret, int column)
    {
        var finding = Assert.Single(Scan(line), f => f.RuleId == ruleId);

        Assert.Equal(column, finding.Column);
        AssertNoSecret(finding, secret);
        Assert.Contains("[REDACTED]", finding.RedactedExcerpt, StringComparison.Ordinal);
        var expectedMask = secret.Length < 12 ? "[REDACTED]" : secret[..4] + "…[REDACTED]";
        Assert.Contains(expectedMask, finding.RedactedExcerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void ScanText_SpecificTokenInGenericAssignment_ReportsOnlyTheSpecificRule()
    {
        var findings = Scan("token: " + GitHubClassic + "\n");

        var finding = Assert.Single(findings);
        Assert.Equal("DMS003", finding.RuleId);
    }

    [Fact]
    public void ScanText_TwoSecretsOnOneLine_EachExcerptMasksBoth()
    {
        var findings = Scan("A=" + GitHubClassic + " B=" + StripeLive + "\n");

        Assert.Equal(2, findings.Count);
        foreach (var finding in findings)
        {
            AssertNoSecret(finding, GitHubClassic);
            AssertNoSecret(finding, StripeLive);
        }
    }

    [Fact]
    public void ScanText_LongLine_ExcerptIsTrimmedAroundTheSecret()
    {
        var line = new string('a', 300) + " token=" + GitLab + " " + new string('b', 300);

        var finding = Assert.Single(Scan(line), f => f.RuleId == "DMS005");

        Assert.Equal(308, finding.Column);
        Assert.True(finding.RedactedExcerpt.Length <= FindingExcerpt.MaxExcerptLength + 2, finding.RedactedExcerpt);
        Assert.Contains("glpa…[REDACTED]", finding.RedactedExcerpt, StringComparison.Ordinal);
    }

    [Fact]
    public void ScanText_CrLfLines_CountsLinesAndColumns()
    {
        var findings = Scan("a\r\nb\r\n\r\n  key: " + GroqKeyLine() + "\r\n");

        var finding = Assert.Single(findings);
        Assert.Equal(4, finding.Line);
        Assert.Equal(8, finding.Column);
    }

    [Fact]
    public void Catalog_Rules_HaveUniqueIdsAndLowerCaseKeywords()
    {
        var rules = SecretRuleCatalog.Rules;

        Assert.InRange(rules.Count, 1, 64);
        Assert.Equal(rules.Count, rules.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(rules, r => Assert.All(r.Keywords, k => Assert.Equal(k.ToLowerInvariant(), k)));
        Assert.All(rules, r => Assert.Contains("secret", r.Pattern.GetGroupNames()));
    }

    [Fact]
    public void Entropy_RandomVersusRepeated_DiffersAsExpected()
    {
        Assert.Equal(0, ShannonEntropy.Of("aaaaaaaa"));
        Assert.Equal(1, ShannonEntropy.Of("abababab"), 3);
        Assert.True(ShannonEntropy.Of(Random(40, 99)) > 4.5);
    }

    internal static void AssertNoSecret(SecurityFinding finding, string secret)
    {
        foreach (var value in new[] { finding.RuleId, finding.Title, finding.File, finding.RedactedExcerpt, finding.ToString() })
        {
            Assert.DoesNotContain(secret, value, StringComparison.Ordinal);
        }
    }

    private static string GroqKeyLine() => Groq;

    private static List<SecurityFinding> Scan(string text)
    {
        var findings = new List<SecurityFinding>();
        SecretScanner.ScanText(text, "config/app.env", findings);
        return findings;
    }
}
