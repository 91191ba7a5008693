using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Webhooks;

/// <summary>GitHub deliveries as GitHub sends them: the fixtures' payloads, signed with HMAC-SHA256 over the exact bytes.</summary>
internal static class SignedDelivery
{
    /// <summary>Real payloads (octokit/webhooks.net test resources, MIT; see the folder's README).</summary>
    public static string FixturesFolder { get; } = Path.Combine(Repo.Root, "tests", "fixtures", "github-webhooks");

    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(FixturesFolder, name));

    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static HttpRequestMessage Request(string eventName, byte[] body, string? signature, string? delivery = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-GitHub-Event", eventName);
        request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", delivery ?? Guid.NewGuid().ToString());
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/test");
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        return request;
    }

    public static HttpRequestMessage Signed(string eventName, byte[] body, string secret, string? delivery = null) =>
        Request(eventName, body, Sign(body, secret), delivery);
}
