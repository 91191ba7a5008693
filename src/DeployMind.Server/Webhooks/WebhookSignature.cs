using System.Security.Cryptography;

namespace DeployMind.Server.Webhooks;

/// <summary>
/// GitHub's <c>X-Hub-Signature-256</c>: "sha256=" and the hex HMAC-SHA256 of the exact body bytes under the webhook
/// secret. The header's form is checked before the body is read (<see cref="TryParse"/>); the HMACs are computed while
/// the body streams in (<see cref="WebhookBody"/>) and compared with every accepted secret's (two during a rotation) in
/// constant time (<see cref="Matches"/>), before the body is parsed.
/// </summary>
internal static class WebhookSignature
{
    /// <summary>The length of an HMAC-SHA256.</summary>
    public const int Length = 32;

    private const string Prefix = "sha256=";

    /// <summary>The claimed HMAC in <paramref name="header"/>, when it is "sha256=" and 64 hex digits.</summary>
    public static bool TryParse(string? header, Span<byte> claimed)
    {
        if (header is null || claimed.Length != Length || !header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length != Prefix.Length + (2 * Length))
        {
            return false;
        }

        return Convert.FromHexString(header.AsSpan(Prefix.Length), claimed, out _, out var written) == System.Buffers.OperationStatus.Done && written == Length;
    }

    /// <summary>Whether <paramref name="claimed"/> is one of <paramref name="computed"/> (the body's HMAC under each secret).</summary>
    public static bool Matches(ReadOnlySpan<byte> claimed, IReadOnlyList<byte[]> computed)
    {
        // Every secret is compared, whatever matched: the time taken does not say which one (or whether one) did.
        var valid = false;
        foreach (var mac in computed)
        {
            valid |= CryptographicOperations.FixedTimeEquals(mac, claimed);
        }

        return valid;
    }
}
