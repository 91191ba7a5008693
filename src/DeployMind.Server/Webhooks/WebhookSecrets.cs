using System.Text;
using DeployMind.Application.Webhooks;
using Microsoft.Extensions.Options;

namespace DeployMind.Server.Webhooks;

/// <summary>The accepted webhook secrets, read once at start (from <c>server.webhookSecretVariable</c> and friends).</summary>
internal sealed class WebhookSecrets
{
    public WebhookSecrets(IOptions<ServerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Values = options.Value.WebhookSecrets(Environment.GetEnvironmentVariable);
        Keys = [.. Values.Select(Encoding.UTF8.GetBytes)];
    }

    public IReadOnlyList<string> Values { get; }

    /// <summary>The secrets as HMAC keys (their UTF-8 bytes), current first.</summary>
    public IReadOnlyList<byte[]> Keys { get; }
}
