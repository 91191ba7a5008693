using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace DeployMind.IntegrationTests.Support;

/// <summary>A message an <see cref="SmtpTestServer"/> accepted: the envelope, the login used, and the data as sent.</summary>
internal sealed record ReceivedMail(string From, IReadOnlyList<string> To, string? User, string? Password, string Data);

/// <summary>
/// A minimal SMTP server on 127.0.0.1 at a free port (RFC 5321's EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA with
/// dot-unstuffing, RSET, NOOP, QUIT; no TLS): enough for a real client to deliver a message the test then reads.
/// </summary>
internal sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ReceivedMail> _mails = Channel.CreateUnbounded<ReceivedMail>();
    private readonly Task _accepting;

    private SmtpTestServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static SmtpTestServer Start() => new();

    /// <summary>The next message, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<ReceivedMail> NextAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            return await _mails.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No mail reached 127.0.0.1:{Port} within {timeout}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 127.0.0.1 test SMTP ready");
            string? from = null, user = null, password = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                var argument = line.Length > verb.Length ? line[(verb.Length + 1)..] : string.Empty;
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-127.0.0.1");
                        await writer.WriteLineAsync("250-AUTH PLAIN LOGIN");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "HELO":
                        await writer.WriteLineAsync("250 127.0.0.1");
                        break;
                    case "AUTH":
                        (user, password) = await AuthenticateAsync(argument, reader, writer);
                        await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                        break;
                    case "MAIL":
                        from = Address(argument);
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        to.Add(Address(argument));
                        await writer.WriteLineAsync("250 2.1.5 OK");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                        {
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        }

                        await _mails.Writer.WriteAsync(new ReceivedMail(from ?? string.Empty, [.. to], user, password, data.ToString()));
                        to.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK queued");
                        break;
                    case "RSET":
                        (from, to) = (null, []);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not recognized");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The client went away, or the server stops.
        }
    }

    private async Task<(string? User, string? Password)> AuthenticateAsync(string argument, StreamReader reader, StreamWriter writer)
    {
        var parts = argument.Split(' ', 2);
        if (parts[0].Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            var encoded = parts.Length > 1 ? parts[1] : null;
            if (encoded is null)
            {
                await writer.WriteLineAsync("334 ");
                encoded = await reader.ReadLineAsync(_stop.Token);
            }

            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(encoded ?? string.Empty)).Split('\0');
            return (fields.ElementAtOrDefault(1), fields.ElementAtOrDefault(2));
        }

        await writer.WriteLineAsync("334 VXNlcm5hbWU6");
        var user = Encoding.UTF8.GetString(Convert.FromBase64String(await reader.ReadLineAsync(_stop.Token) ?? string.Empty));
        await writer.WriteLineAsync("334 UGFzc3dvcmQ6");
        var password = Encoding.UTF8.GetString(Convert.FromBase64String(await reader.ReadLineAsync(_stop.Token) ?? string.Empty));
        return (user, password);
    }

    private static string Address(string argument)
    {
        var start = argument.IndexOf('<', StringComparison.Ordinal);
        var end = argument.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? argument[(start + 1)..end] : argument;
    }
}
