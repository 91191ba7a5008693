using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text.RegularExpressions;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;

namespace DeployMind.Infrastructure.Nginx;

/// <summary>
/// Checks what goes into an nginx site before it is rendered. Everything rendered comes from here, so a value can
/// never carry a ';', a brace, a quote or a newline into the configuration: inputs are data, not directives.
/// </summary>
internal static partial class NginxRouteValidator
{
    public const int MaxLabelLength = 200;

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first problem with <paramref name="route"/>.</summary>
    public static void Validate(RouteSpec route)
    {
        ArgumentNullException.ThrowIfNull(route);
        ValidateApp(route.App);
        if (route.ListenPort is < 1 or > 65535)
        {
            throw new InvalidInputException($"Route '{route.App}': listen port {route.ListenPort} is not a TCP port (1-65535).");
        }

        if (route.ServerName is not null && (route.ServerName.Length > 253 || !ServerNamePattern().IsMatch(route.ServerName)))
        {
            throw new InvalidInputException(
                $"Route '{route.App}': server name '{route.ServerName}' is not a host name (letters, digits, '-', '_' and dots, optionally starting with '*.').");
        }

        ValidateDomains(route.App, route.Domains);
        if (route.Tls is { Source: TlsSource.Files } files && (!IsSafePath(files.CertificateFile) || !IsSafePath(files.KeyFile)))
        {
            throw new InvalidInputException($"Route '{route.App}': the certificate and key files must be absolute paths without quotes, '$', ';' or braces.");
        }

        if (route.ProbeMarker is { } marker && (marker.Length is < 16 or > 64 || !marker.All(char.IsAsciiLetterOrDigit)))
        {
            throw new InvalidInputException($"Route '{route.App}': the probe marker must be 16 to 64 letters or digits.");
        }

        if (route.Servers is null || route.Servers.Count == 0)
        {
            throw new InvalidInputException($"Route '{route.App}' has no upstream servers; at least one is needed.");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var server in route.Servers)
        {
            if (server is null)
            {
                throw new InvalidInputException($"Route '{route.App}' has a null upstream server.");
            }

            if (!IsUpstreamAddress(server.Address))
            {
                throw new InvalidInputException(
                    $"Route '{route.App}': upstream address '{server.Address}' is not host:port (e.g. 127.0.0.1:41234, [::1]:41234 or web-1.internal:8080).");
            }

            if (!seen.Add(server.Address))
            {
                throw new InvalidInputException($"Route '{route.App}': upstream address '{server.Address}' is listed twice.");
            }

            if (server.Weight < 1)
            {
                throw new InvalidInputException(
                    $"Route '{route.App}': upstream '{server.Address}' has weight {server.Weight}; weights are 1 or more (leave a server out to give it no traffic).");
            }

            if (server.Label is null || server.Label.Length > MaxLabelLength || server.Label.Any(char.IsControl))
            {
                throw new InvalidInputException(
                    $"Route '{route.App}': the label of upstream '{server.Address}' must be text of at most {MaxLabelLength} characters without control characters.");
            }
        }
    }

    /// <summary>Throws <see cref="InvalidInputException"/> unless every one of <paramref name="domains"/> is a host name (no wildcard).</summary>
    public static void ValidateDomains(string app, IReadOnlyList<string>? domains)
    {
        foreach (var domain in domains ?? [])
        {
            if (domain is null || domain.Length > 253 || !HostNamePattern().IsMatch(domain))
            {
                throw new InvalidInputException($"Route '{app}': domain '{domain}' is not a host name (letters, digits, '-' and dots).");
            }
        }
    }

    /// <summary>Throws <see cref="InvalidInputException"/> unless <paramref name="app"/> can name a site, an upstream and a log.</summary>
    public static void ValidateApp(string app)
    {
        if (app is null || !AppPattern().IsMatch(app))
        {
            throw new InvalidInputException(
                $"App name '{app}' is not valid for the traffic router: use 1-63 letters, digits, '-' and '_', starting with a letter or digit.");
        }
    }

    /// <summary>Whether <paramref name="address"/> is host:port with a port in 1-65535 (IPv6 hosts in brackets).</summary>
    public static bool IsUpstreamAddress(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return false;
        }

        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !IsPort(address[(colon + 1)..]))
        {
            return false;
        }

        var host = address[..colon];
        if (host.StartsWith('['))
        {
            return IsBracketedIPv6(host);
        }

        if (host.All(c => char.IsAsciiDigit(c) || c == '.'))
        {
            return host.Count(c => c == '.') == 3
                && IPAddress.TryParse(host, out var ip)
                && ip.AddressFamily == AddressFamily.InterNetwork;
        }

        return host.Length <= 253 && HostNamePattern().IsMatch(host);
    }

    /// <summary>Whether <paramref name="address"/> can follow <c>listen</c>: an IPv4 address or a bracketed IPv6 address.</summary>
    public static bool IsListenAddress(string? address) =>
        !string.IsNullOrEmpty(address)
        && (address.StartsWith('[')
            ? IsBracketedIPv6(address)
            : address.Count(c => c == '.') == 3
                && address.All(c => char.IsAsciiDigit(c) || c == '.')
                && IPAddress.TryParse(address, out var ip)
                && ip.AddressFamily == AddressFamily.InterNetwork);

    /// <summary>
    /// Whether <paramref name="path"/> is absolute (or starts with <c>~/</c>) and safe inside a quoted nginx string
    /// and an argument list: no quotes, backslashes, <c>$</c> (nginx variables), ';', braces or control characters.
    /// </summary>
    public static bool IsSafePath(string? path) =>
        !string.IsNullOrWhiteSpace(path)
        && (path.StartsWith('/') || path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        && !path.Any(c => char.IsControl(c) || c is '"' or '\'' or '\\' or '$' or ';' or '{' or '}');

    private static bool IsPort(string text) =>
        text.Length is >= 1 and <= 5
        && text.All(char.IsAsciiDigit)
        && int.Parse(text, CultureInfo.InvariantCulture) is >= 1 and <= 65535;

    private static bool IsBracketedIPv6(string host) =>
        host.Length > 2
        && host[0] == '['
        && host[^1] == ']'
        && !host.Contains('%', StringComparison.Ordinal)
        && IPAddress.TryParse(host[1..^1], out var ip)
        && ip.AddressFamily == AddressFamily.InterNetworkV6;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}\z")]
    private static partial Regex AppPattern();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z")]
    private static partial Regex HostNamePattern();

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\z")]
    private static partial Regex ServerNamePattern();
}
