using System.Text;

namespace DeployMind.IntegrationTests.Support;

/// <summary>Reads a text/event-stream: events (type, id, data) and comments, one at a time.</summary>
internal sealed class ServerSentEventReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event or comment (<see cref="ServerSentEvent.Comment"/> set), or null at the end of the stream.</summary>
    public async Task<ServerSentEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        string? type = null, id = null, comment = null;
        var data = new StringBuilder();
        var any = false;
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (any)
                {
                    return new ServerSentEvent(type ?? "message", id, data.ToString(), comment);
                }

                continue;
            }

            any = true;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "":
                    comment = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "id":
                    id = value;
                    break;
                case "data":
                    data.Append(data.Length > 0 ? "\n" : string.Empty).Append(value);
                    break;
            }
        }

        return null;
    }

    public void Dispose() => _reader.Dispose();
}

/// <summary>An event of a text/event-stream, or a comment (then <see cref="Comment"/> is set).</summary>
internal sealed record ServerSentEvent(string Type, string? Id, string Data, string? Comment);
