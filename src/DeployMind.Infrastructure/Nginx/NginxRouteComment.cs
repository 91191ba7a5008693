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
            if (route.Domains.Count > 0)
            {
                json.WriteStartArray("domains");
                foreach (var domain in route.Domains)
                {
                    json.WriteStringValue(domain);
                }

                json.WriteEndArray();
            }

            if (route.Tls is { } tls)
            {
                // Everything a renewal needs, read back from the host's own files; nothing secret (keys stay in their files).
                json.WriteStartObject("tls");
                json.WriteString("source", tls.Source == TlsSource.Acme ? "acme" : "files");
                if (tls.Acme is { } acme)
                {
                    json.WriteString("directory", acme.Directory.ToString());
                    WriteOptional(json, "email", acme.Email);
                    WriteOptional(json, "caBundle", acme.CaBundle);
                }

                WriteOptional(json, "certificate", tls.CertificateFile);
                WriteOptional(json, "key", tls.KeyFile);
                json.WriteBoolean("redirect", tls.Redirect);
                if (tls.Hsts is { } hsts)
                {
                    json.WriteNumber("hstsSeconds", (long)hsts.TotalSeconds);
                }

                json.WriteNumber("renewBeforeSeconds", (long)tls.RenewBefore.TotalSeconds);
                json.WriteEndObject();
            }

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
            string[] domains = root.TryGetProperty("domains", out var list) && list.ValueKind == JsonValueKind.Array
                ? [.. list.EnumerateArray().Select(d => d.GetString() ?? string.Empty)]
                : [];
            return new RouteSpec(root.GetProperty("app").GetString() ?? string.Empty, root.GetProperty("listenPort").GetInt32(), servers)
            {
                ServerName = serverName,
                Domains = domains,
                Tls = root.TryGetProperty("tls", out var tls) && tls.ValueKind == JsonValueKind.Object ? ParseTls(tls) : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or UriFormatException)
        {
            return null;
        }
    }

    private static SiteTls ParseTls(JsonElement tls)
    {
        var source = tls.GetProperty("source").GetString() == "acme" ? TlsSource.Acme : TlsSource.Files;
        return new SiteTls
        {
            Source = source,
            Acme = source == TlsSource.Acme
                ? new AcmeAccount(new Uri(tls.GetProperty("directory").GetString() ?? string.Empty), Optional(tls, "email")) { CaBundle = Optional(tls, "caBundle") }
                : null,
            CertificateFile = Optional(tls, "certificate"),
            KeyFile = Optional(tls, "key"),
            Redirect = !tls.TryGetProperty("redirect", out var redirect) || redirect.GetBoolean(),
            Hsts = tls.TryGetProperty("hstsSeconds", out var hsts) ? TimeSpan.FromSeconds(hsts.GetInt64()) : null,
            RenewBefore = tls.TryGetProperty("renewBeforeSeconds", out var renew) ? TimeSpan.FromSeconds(renew.GetInt64()) : TimeSpan.FromDays(30),
        };
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
