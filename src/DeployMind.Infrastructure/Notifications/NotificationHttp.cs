using System.Net.Http.Headers;
using System.Text;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Notifications;

/// <summary>
/// The HTTP client the webhook senders share: JSON POSTs, no redirects (a webhook URL that redirects elsewhere is not
/// followed with the message), an answer other than 2xx is an error naming the status and the start of the body.
/// The URL is never part of an error: it is the channel's secret.
/// </summary>
internal sealed class NotificationHttp : IDisposable
{
    private readonly HttpClient _client;

    public NotificationHttp()
        : this(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan })
    {
    }

    internal NotificationHttp(HttpClient client)
    {
        _client = client;
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("DeployMind", "1.0"));
    }

    /// <summary>POSTs <paramref name="json"/> to <paramref name="url"/> with <paramref name="headers"/>.</summary>
    /// <exception cref="DeployMindException">The receiver answered something other than 2xx, or could not be reached.</exception>
    public async Task PostJsonAsync(Uri url, string json, IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            // HttpRequestException names host:port at most; the path (where the secret is) is not in it.
            throw new DeployMindException($"the receiver cannot be reached ({ex.HttpRequestError}: {ex.Message})", ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            body = body.ReplaceLineEndings(" ").Trim();
            throw new DeployMindException($"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}" + (body.Length == 0 ? string.Empty : $": {(body.Length > 200 ? body[..200] + "…" : body)}"));
        }
    }

    public void Dispose() => _client.Dispose();
}
