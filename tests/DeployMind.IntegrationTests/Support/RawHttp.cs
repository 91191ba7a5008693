using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// HTTP/1.1 by hand over a socket to 127.0.0.1, for what HttpClient will not send: a body that stalls, stops short or is
/// still being sent when the answer comes. The head is written, then <c>body</c> runs while the answer is read.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="head"/> (request line and headers, without the blank line), then runs <paramref name="body"/> while reading the answer.</summary>
    /// <param name="port">The server's port on 127.0.0.1.</param>
    /// <param name="head">"POST /path HTTP/1.1\r\nHost: ...\r\n..." without the final blank line.</param>
    /// <param name="body">Writes (some of) the body; its token is cancelled once the answer is in. Errors once the server has answered or closed are expected and ignored.</param>
    /// <param name="timeout">How long to wait for the whole answer.</param>
    public static async Task<RawAnswer> ExchangeAsync(int port, string head, Func<Socket, CancellationToken, Task> body, TimeSpan timeout)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(head.TrimEnd('\r', '\n') + "\r\n\r\n"), SocketFlags.None, deadline.Token);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var sending = Task.Run(async () =>
        {
            try
            {
                await body(socket, stopSending.Token);
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The server answered and closed, or the test gave up.
            }
        });
        var answer = await ReadAnswerAsync(socket, deadline.Token);
        await stopSending.CancelAsync();
        socket.Close();
        await sending;
        return answer;
    }

    /// <summary>Writes <paramref name="length"/> bytes of 'x' in chunks of a shared buffer (no large allocation per request).</summary>
    public static async Task SendFillerAsync(Socket socket, long length, CancellationToken cancellationToken)
    {
        var chunk = Filler.Value;
        for (var sent = 0L; sent < length;)
        {
            var count = (int)Math.Min(chunk.Length, length - sent);
            sent += await socket.SendAsync(chunk.AsMemory(0, count), SocketFlags.None, cancellationToken);
        }
    }

    private static readonly Lazy<byte[]> Filler = new(() => Enumerable.Repeat((byte)'x', 256 * 1024).ToArray());

    private static async Task<RawAnswer> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int? headEnd = null;
        long? contentLength = null;
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
                var text = Encoding.ASCII.GetString(received.GetBuffer(), 0, (int)received.Length);
                headEnd ??= text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0 ? end + 4 : null;
                if (headEnd is { } start)
                {
                    contentLength ??= ContentLength(text[..start]) ?? (text.Contains("chunked", StringComparison.OrdinalIgnoreCase) ? null : 0);
                    var chunkedDone = contentLength is null && text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
                    if (chunkedDone || (contentLength is { } length && received.Length - start >= length))
                    {
                        break;
                    }
                }
            }
        }
        catch (SocketException)
        {
            // Reset: after the answer (the server closed with unread bytes from us), or instead of one (status 0).
        }

        var all = Encoding.UTF8.GetString(received.GetBuffer(), 0, (int)received.Length);
        var status = all.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) && all.Length >= 12 && int.TryParse(all.AsSpan(9, 3), out var code) ? code : 0;
        return new RawAnswer(status, all);
    }

    private static long? ContentLength(string head) =>
        head.Split("\r\n").Select(line => line.Split(':', 2)).FirstOrDefault(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) is { } header
            ? long.Parse(header[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : null;
}

/// <summary>What came back: the status (0 when the connection closed without an answer) and the whole answer as text (head and body).</summary>
internal sealed record RawAnswer(int Status, string Text)
{
    /// <summary>The body: what follows the blank line.</summary>
    public string Body => Text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0 ? Text[(end + 4)..] : string.Empty;
}
