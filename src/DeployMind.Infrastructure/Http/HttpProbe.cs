using System.Net.Sockets;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Http;

/// <summary>Health requests over HTTP: a status below 400 within the timeout is healthy; anything else says what went wrong.</summary>
internal sealed class HttpProbe : IHttpProbe, IDisposable
{
    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        UseProxy = false,
        AllowAutoRedirect = false,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, null, timeout, cancellationToken);

    public Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken) => SendAsync(url, hostName, null, timeout, cancellationToken);

    public Task<ProbeResult> GetMarkedAsync(Uri url, string? hostName, KeyValuePair<string, string> marker, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(url, hostName, marker, timeout, cancellationToken);

    private async Task<ProbeResult> SendAsync(Uri url, string? hostName, KeyValuePair<string, string>? marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (hostName is not null)
            {
                request.Headers.Host = url.IsDefaultPort ? hostName : $"{hostName}:{url.Port}";
            }

            if (marker is { } header)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            return status < 400 ? new ProbeResult(status, null) : new ProbeResult(status, $"status {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(null, $"no answer within {timeout.TotalSeconds:0.#}s");
        }
        catch (HttpRequestException ex)
        {
            if (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                return new ProbeResult(null, "connection refused (nothing listens on that port yet)") { Refused = true };
            }

            return new ProbeResult(null, ex.InnerException is SocketException socket ? socket.Message : ex.Message);
        }
    }

    public void Dispose() => _client.Dispose();
}
