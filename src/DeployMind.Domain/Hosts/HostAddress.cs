using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DeployMind.Domain.Hosts;

/// <summary>
/// How a Docker host is reached, parsed once from what configuration or a flag says: this machine (<c>local</c>, or no
/// address), an SSH host (<c>user@host</c>, <c>user@host:port</c>, <c>ssh://user@host:port</c>), or an EC2 instance through
/// SSM (<c>ssm://i-0123456789abcdef0</c>, optionally <c>@region</c>).
/// </summary>
public abstract record HostAddress
{
    /// <summary>The text meaning this machine.</summary>
    public const string LocalName = "local";

    private const string SsmScheme = "ssm://";

    private HostAddress()
    {
    }

    /// <summary>This machine.</summary>
    public static HostAddress Local { get; } = new LocalHost();

    /// <summary>The kind's name as users write it: local, ssh or ssm.</summary>
    public abstract string Kind { get; }

    /// <summary>
    /// Parses a host address: <c>local</c> (or nothing), an SSH address, or an SSM instance.
    /// </summary>
    /// <exception cref="InvalidInputException">The text is none of those; the message says why.</exception>
    public static HostAddress Parse(string? text) =>
        TryParse(text, out var address, out var error) ? address : throw new InvalidInputException(error);

    /// <summary>Like <see cref="Parse(string?)"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out HostAddress? address, [NotNullWhen(false)] out string? error)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0 || trimmed == LocalName)
        {
            (address, error) = (Local, null);
            return true;
        }

        if (trimmed.StartsWith(SsmScheme, StringComparison.OrdinalIgnoreCase))
        {
            return Ssm.TryParseSsm(trimmed, out address, out error);
        }

        if (Ssh.TryParse(trimmed, out var ssh, out error))
        {
            address = ssh;
            return true;
        }

        address = null;
        return false;
    }

    /// <summary>
    /// Where a lock target's host part (<c>local</c>, an address, or a configured host's name, with a preview's
    /// <c>/&lt;instance&gt;</c> suffix) ends: the suffix starts at the first '/' after the scheme's "://".
    /// </summary>
    public static string WithoutInstance(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var scheme = name.IndexOf("://", StringComparison.Ordinal);
        var slash = name.IndexOf('/', scheme < 0 ? 0 : scheme + 3);
        return slash < 0 ? name : name[..slash];
    }

    /// <summary>This machine.</summary>
    public sealed record LocalHost : HostAddress
    {
        internal LocalHost()
        {
        }

        public override string Kind => "local";

        public override string ToString() => LocalName;
    }

    /// <summary>An SSH host: <c>user@host:port</c>.</summary>
    public sealed record Ssh : HostAddress
    {
        /// <summary>The SSH port used when an address names none.</summary>
        public const int DefaultPort = 22;

        private const string Expected = "expected user@host, user@host:port or ssh://user@host:port";

        public Ssh(string user, string host, int port = DefaultPort)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(user);
            ArgumentException.ThrowIfNullOrWhiteSpace(host);
            ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
            (User, Host, Port) = (user, host, port);
        }

        /// <summary>The user to log in as (e.g. <c>deploy</c>).</summary>
        public string User { get; }

        /// <summary>Host name or IP address (IPv6 without brackets).</summary>
        public string Host { get; }

        /// <summary>TCP port of sshd (22 unless set).</summary>
        public int Port { get; }

        public override string Kind => "ssh";

        /// <summary><c>host:port</c>, with IPv6 hosts in brackets.</summary>
        public string HostAndPort => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

        /// <summary>Parses <c>ssh://user@host:port</c>, <c>user@host:port</c> or <c>user@host</c> (port 22); on failure <paramref name="error"/> says why.</summary>
        public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out Ssh? address, [NotNullWhen(false)] out string? error)
        {
            address = null;
            var text = value?.Trim() ?? string.Empty;
            if (text.Length == 0)
            {
                error = $"The SSH target is empty; {Expected}.";
                return false;
            }

            var rest = text;
            var schemeEnd = rest.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd >= 0)
            {
                var scheme = rest[..schemeEnd];
                if (!scheme.Equals("ssh", StringComparison.OrdinalIgnoreCase))
                {
                    error = $"The SSH target '{text}' has the scheme '{scheme}'; {Expected}.";
                    return false;
                }

                rest = rest[(schemeEnd + 3)..];
                if (rest.EndsWith('/'))
                {
                    rest = rest[..^1];
                }

                if (rest.IndexOfAny(['/', '?', '#']) >= 0)
                {
                    error = $"The SSH target '{text}' has a path or query; {Expected}.";
                    return false;
                }
            }

            var at = rest.LastIndexOf('@');
            if (at < 0)
            {
                error = $"The SSH target '{text}' names no user; {Expected}.";
                return false;
            }

            var user = rest[..at];
            var hostPort = rest[(at + 1)..];
            if (user.Length == 0)
            {
                error = $"The SSH target '{text}' has an empty user; {Expected}.";
                return false;
            }

            if (!user.All(IsUserChar) || user[0] == '-')
            {
                error = $"The user '{user}' in the SSH target '{text}' is not a valid user name (letters, digits, '.', '_', '-').";
                return false;
            }

            if (!TrySplitHostPort(hostPort, out var host, out var portText))
            {
                error = $"The host in the SSH target '{text}' is malformed (an IPv6 address needs brackets: user@[::1]:22).";
                return false;
            }

            if (host.Length == 0)
            {
                error = $"The SSH target '{text}' has no host; {Expected}.";
                return false;
            }

            if (Uri.CheckHostName(host) == UriHostNameType.Unknown || host.Contains('_', StringComparison.Ordinal) || host[0] == '-')
            {
                error = $"'{host}' in the SSH target '{text}' is not a valid host name or IP address.";
                return false;
            }

            var port = DefaultPort;
            if (portText is not null
                && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
            {
                error = $"The port '{portText}' in the SSH target '{text}' is not a number from 1 to 65535.";
                return false;
            }

            address = new Ssh(user, host, port);
            error = null;
            return true;
        }

        /// <summary><c>user@host:port</c>, with IPv6 hosts in brackets.</summary>
        public override string ToString() => $"{User}@{HostAndPort}";

        private static bool TrySplitHostPort(string hostPort, out string host, out string? port)
        {
            port = null;
            if (hostPort.StartsWith('['))
            {
                var close = hostPort.IndexOf(']', StringComparison.Ordinal);
                host = close < 0 ? string.Empty : hostPort[1..close];
                if (close < 0 || Uri.CheckHostName(host) != UriHostNameType.IPv6)
                {
                    return false;
                }

                var after = hostPort[(close + 1)..];
                if (after.Length == 0)
                {
                    return true;
                }

                if (after[0] != ':')
                {
                    return false;
                }

                port = after[1..];
                return true;
            }

            var colon = hostPort.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                host = hostPort;
                return true;
            }

            if (hostPort.IndexOf(':', colon + 1) >= 0)
            {
                host = hostPort;
                return false;
            }

            host = hostPort[..colon];
            port = hostPort[(colon + 1)..];
            return true;
        }

        private static bool IsUserChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '$';
    }

    /// <summary>An EC2 instance reached through AWS Systems Manager: <c>ssm://i-0123456789abcdef0[@region]</c>.</summary>
    public sealed record Ssm : HostAddress
    {
        private const string Expected = "expected ssm://i-0123456789abcdef0 or ssm://i-0123456789abcdef0@eu-west-1";

        public Ssm(string instanceId, string? region)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
            (InstanceId, Region) = (instanceId, region);
        }

        /// <summary>The instance's id (<c>i-</c> and 8 or 17 hex digits).</summary>
        public string InstanceId { get; }

        /// <summary>The instance's region; null: the SDK's default region.</summary>
        public string? Region { get; }

        public override string Kind => "ssm";

        internal static bool TryParseSsm(string text, [NotNullWhen(true)] out HostAddress? address, [NotNullWhen(false)] out string? error)
        {
            address = null;
            var rest = text[SsmScheme.Length..].TrimEnd('/');
            var at = rest.IndexOf('@', StringComparison.Ordinal);
            var id = at < 0 ? rest : rest[..at];
            var region = at < 0 ? null : rest[(at + 1)..];
            if (!IsInstanceId(id))
            {
                error = $"The SSM target '{text}' names no instance id ('i-' and 8 or 17 hex digits); {Expected}.";
                return false;
            }

            if (region is not null && (region.Length == 0 || !region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
            {
                error = $"The region '{region}' in the SSM target '{text}' is not a region name (e.g. eu-west-1); {Expected}.";
                return false;
            }

            address = new Ssm(id, region);
            error = null;
            return true;
        }

        public override string ToString() => SsmScheme + InstanceId + (Region is null ? string.Empty : "@" + Region);

        private static bool IsInstanceId(string id) =>
            id.StartsWith("i-", StringComparison.Ordinal) && id.Length is 10 or 19 && id[2..].All(char.IsAsciiHexDigitLower);
    }
}
