using System.Text.Json;
using System.Text;
using DeployMind.Application.Deploy.Hosts;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// The route as one JSON comment line at the top of a site file (<c># deploymind-route: {...}</c>), so the host's
/// own files say what is routed there: a new process, or another machine, reads the route back without a database.
/// </summary>
internal static class NginxRouteComment
{
    public const string Marker = "# deploymind-route: ";

    private const int Version = 1;

    /// <summary>The comment line (without a newline). JSON escapes control characters, so it stays one line.</summary>
    public static string Format(RouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("app", route.App);
            json.WriteNumber("listenPort", route.ListenPort);
            if (route.ServerName is null)
            {
                json.WriteNull("serverName");
            }
            else
            {
                json.WriteString("serverName", route.ServerName);
            }

            json.WriteStartArray("servers");
            foreach (var server in route.Servers)
            {
                json.WriteStartObject();
                json.WriteString("address", server.Address);
                json.WriteNumber("weight", server.Weight);
                json.WriteString("label", server.Label);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Marker + Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The route in <paramref name="siteText"/>'s comment line, or null when there is none or it is not readable.</summary>
    public static RouteSpec? Parse(string siteText)
    {
        ArgumentNullException.ThrowIfNull(siteText);
        var line = siteText.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line[Marker.Length..]);
            var root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != Version)
            {
                return null;
            }

            var servers = root.GetProperty("servers").EnumerateArray()
                .Select(s => new UpstreamServer(
                    s.GetProperty("address").GetString() ?? string.Empty,
                    s.GetProperty("weight").GetInt32(),
                    s.GetProperty("label").GetString() ?? string.Empty))
                .ToArray();
            var serverName = root.TryGetProperty("serverName", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
            return new RouteSpec(root.GetProperty("app").GetString() ?? string.Empty, root.GetProperty("listenPort").GetInt32(), servers)
            {
                ServerName = serverName,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
