using System.Net;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A bounded load loop against 127.0.0.1: a few parallel clients send GETs until stopped, at most
/// <see cref="MaxRequests"/> requests or <see cref="MaxDuration"/>. Each request uses its own connection
/// (<c>Connection: close</c>): on a reload nginx closes idle keep-alive connections, which a client racing a reuse
/// sees as a reset before nginx ever saw the request (browsers retry those; HttpClient does not).
/// </summary>
internal sealed class LoadLoop : IAsyncDisposable
{
    public const int MaxRequests = 50_000;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(120);

    private readonly CancellationTokenSource _stop = new(MaxDuration);
    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Task[] _workers;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _bodies = [];
    private readonly Dictionary<string, int> _failed = [];
    private int _requests;
    private int _failures;

    /// <param name="port">The nginx port.</param>
    /// <param name="clients">Parallel clients.</param>
    /// <param name="path">The path requested (default: /).</param>
    /// <param name="pause">Each client's pause between requests (default none): a slower loop lasts a long scenario out
    /// within <see cref="MaxRequests"/>.</param>
    public LoadLoop(int port, int clients = 2, string path = "/", TimeSpan pause = default)
    {
        var url = new Uri($"http://127.0.0.1:{port}{path}");
        _workers = [.. Enumerable.Range(0, clients).Select(_ => Task.Run(() => RunAsync(url, pause)))];
    }

    public int Requests => _requests;

    public int Failures => _failures;

    public List<string> FailureSamples { get; } = [];

    /// <summary>How many answers contained each marker (e.g. a version), counted when asked.</summary>
    public int Count(string marker)
    {
        lock (_gate)
        {
            return _bodies.Where(kv => kv.Key.Contains(marker, StringComparison.Ordinal)).Sum(kv => kv.Value);
        }
    }

    /// <summary>How many failures (status and body, or the error) contained <paramref name="marker"/>.</summary>
    public int FailuresContaining(string marker)
    {
        lock (_gate)
        {
            return _failed.Where(kv => kv.Key.Contains(marker, StringComparison.Ordinal)).Sum(kv => kv.Value);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(Uri url, TimeSpan pause)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.ConnectionClose = true;
                using var response = await _client.SendAsync(request, _stop.Token);
                var body = await response.Content.ReadAsStringAsync(_stop.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{(int)response.StatusCode} {body}");
                }
                else
                {
                    lock (_gate)
                    {
                        _bodies[body] = _bodies.GetValueOrDefault(body) + 1;
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                Interlocked.Decrement(ref _requests);
                return;
            }
            catch (HttpRequestException ex)
            {
                Fail(ex.Message);
            }

            if (pause > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(pause, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Fail(string what)
    {
        Interlocked.Increment(ref _failures);
        lock (_gate)
        {
            _failed[what] = _failed.GetValueOrDefault(what) + 1;
            if (FailureSamples.Count < 5)
            {
                FailureSamples.Add(what);
            }
        }
    }
}
