using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// GitHub's <c>X-Hub-Signature-256</c>: "sha256=" and the hex HMAC-SHA256 of the exact body bytes under the webhook
/// secret. Checked against every accepted secret (two during a rotation) in constant time, before the body is parsed.
/// </summary>
internal static class WebhookSignature
{
    private const string Prefix = "sha256=";

    /// <summary>Whether <paramref name="header"/> is a valid signature of <paramref name="body"/> under one of <paramref name="secrets"/>.</summary>
    public static bool IsValid(string? header, ReadOnlySpan<byte> body, IReadOnlyList<string> secrets)
    {
        if (header is null || secrets.Count == 0 || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        Span<byte> claimed = stackalloc byte[32];
        if (Convert.FromHexString(header.AsSpan(Prefix.Length), claimed, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        // Every secret is tried, whatever matched: the time taken does not say which one (or whether one) did.
        var valid = false;
        Span<byte> expected = stackalloc byte[32];
        foreach (var secret in secrets)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
            valid |= CryptographicOperations.FixedTimeEquals(expected, claimed);
        }

        return valid;
    }
}
