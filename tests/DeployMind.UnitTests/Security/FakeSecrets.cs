using System.Text;

namespace DeployMind.UnitTests.Security;

/// <summary>
/// Real-looking credentials built at run time from a fixed seed, so this repository holds no literal token that
/// other scanners would flag. Prefixes are split ("gh" + "p_") for the same reason.
/// </summary>
internal static class FakeSecrets
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string Random(int length, int seed, string alphabet = Alnum)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    public static string AwsAccessKeyId => "AK" + "IA" + Random(16, 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");

    public static string AwsSecretAccessKey => Random(38, 2, Alnum + "/+") + "Zq";

    public static string GitHubClassic => "gh" + "p_" + Random(36, 3);

    public static string GitHubOAuth => "gh" + "o_" + Random(36, 31);

    public static string GitHubFineGrained => "github" + "_pat_" + Random(22, 4) + "_" + Random(59, 5);

    public static string GitLab => "gl" + "pat-" + Random(20, 6);

    public static string PrivateKeyHeader(string kind) => "-----BEGIN " + kind + "PRIVATE" + " KEY-----";

    public static string SlackBot => "xo" + "xb-" + Random(12, 7, "0123456789") + "-" + Random(12, 8, "0123456789") + "-" + Random(24, 9);

    public static string SlackWebhook => "https://hooks.slack.com/" + "services/T" + Random(10, 10, Upper) + "/B" + Random(10, 11, Upper) + "/" + Random(24, 12);

    public static string StripeLive => "sk" + "_live_" + Random(24, 13);

    public static string StripeTest => "sk" + "_test_" + Random(24, 14);

    public static string GoogleApiKey => "AI" + "za" + Random(35, 15);

    public static string OpenAiProject => "sk-" + "proj-" + Random(64, 16);

    public static string OpenAiLegacy => "sk-" + Random(20, 17) + "T3Blbk" + "FJ" + Random(20, 18);

    public static string Anthropic => "sk-" + "ant-api03-" + Random(93, 19);

    public static string Groq => "gs" + "k_" + Random(52, 20);

    public static string Npm => "np" + "m_" + Random(36, 21);

    public static string PyPi => "pypi-" + "AgEIcHlwaS5vcmc" + Random(70, 22);

    public static string SendGrid => "S" + "G." + Random(22, 23) + "." + Random(43, 24);

    public static string TwilioApiKey => "S" + "K" + Random(32, 25, "0123456789abcdef");

    public static string TwilioAuthToken => Random(32, 26, "0123456789abcdef");

    public static string AzureClientSecret => Random(3, 27) + "8" + "Q~" + Random(34, 28);

    public static string Jwt =>
        Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + Base64Url("{\"sub\":\"1234567890\",\"name\":\"Jane\"}") + "." + Random(43, 29);

    public static string Password => Random(10, 30) + "#9!k";

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
