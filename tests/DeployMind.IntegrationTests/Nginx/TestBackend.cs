using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeployMind.IntegrationTests.Nginx;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (TcpListener, no framework): answers every request with its own name as the
/// body (GET /big: a megabyte of its name's first letter), keeps connections alive, and answers 500 for a configurable share of requests (deterministically spread), or
/// closes the connection without an answer for another share.
/// </summary>
internal sealed class TestBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, bool> _connections = new();
    private readonly Task _acceptLoop;
    private long _requests;
    private long _errors;
    private long _received;

    /// <summary>The body length of an answer to GET /big: more than nginx's proxy buffers hold.</summary>
    public const int BigResponseLength = 1024 * 1024;

    public TestBackend(string name, double errorShare = 0, double dropShare = 0)
    {
        Name = name;
        ErrorShare = errorShare;
        DropShare = dropShare;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>host:port, as an upstream address.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Share of requests (0-1) answered with 500.</summary>
    public double ErrorShare { get; }

    /// <summary>Share of requests (0-1) whose connection is closed without an answer (a broken upstream nginx passes over).</summary>
    public double DropShare { get; }

    public long Requests => Interlocked.Read(ref _requests);

    public long Errors => Interlocked.Read(ref _errors);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var client in _connections.Keys)
        {
            client.Dispose();
        }

        await _acceptLoop;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _connections[client] = true;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII, false, 4096, leaveOpen: true);
                while (!_stop.IsCancellationRequested)
                {
                    var requestLine = await reader.ReadLineAsync(_stop.Token);
                    if (string.IsNullOrEmpty(requestLine))
                    {
                        return;
                    }

                    var contentLength = 0;
                    string? header;
                    while (!string.IsNullOrEmpty(header = await reader.ReadLineAsync(_stop.Token)))
                    {
                        if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            contentLength = int.Parse(header["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
                        }
                    }

                    if (contentLength > 0)
                    {
                        // Test requests are ASCII: one char per byte.
                        var body = new char[contentLength];
                        await reader.ReadBlockAsync(body, _stop.Token);
                    }

                    var received = Interlocked.Increment(ref _received);
                    if (Math.Floor(received * DropShare) > Math.Floor((received - 1) * DropShare))
                    {
                        return;
                    }

                    var n = Interlocked.Increment(ref _requests);
                    var fail = Math.Floor(n * ErrorShare) > Math.Floor((n - 1) * ErrorShare);
                    if (fail)
                    {
                        Interlocked.Increment(ref _errors);
                    }

                    var status = fail ? "500 Internal Server Error" : "200 OK";
                    var content = requestLine.Contains(" /big ", StringComparison.Ordinal) ? new string(Name[0], BigResponseLength) : Name;
                    var response = $"HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {content.Length}\r\n\r\n{content}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The peer (nginx) closed the connection, or the backend is stopping.
        }
        finally
        {
            _connections.TryRemove(client, out _);
        }
    }
}
