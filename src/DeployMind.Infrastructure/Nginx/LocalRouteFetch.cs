using System.Net;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// What <see cref="NginxCommands.Fetch"/> does with curl on the host, done in this process for an nginx on this machine:
/// GET a site's route path and read its body, on a new connection each time (a kept connection would stay with the
/// worker that took it, and a confirmation must reach whichever worker nginx gives a new connection to). No proxy, no
/// redirects; null on any failure or a status of 400 or more, as <c>curl --fail</c>.
/// </summary>
internal static class LocalRouteFetch
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.Zero,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The body of <paramref name="url"/> (as the site <paramref name="hostName"/>), or null.</summary>
    public static async Task<string?> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.ConnectionClose = true;
        if (hostName is not null)
        {
            request.Headers.Host = hostName;
        }

        try
        {
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            return (int)response.StatusCode >= 400 ? null : await response.Content.ReadAsStringAsync(deadline.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
