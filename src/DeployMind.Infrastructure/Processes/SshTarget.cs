using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// Where and how <see cref="SshCommandRunner"/> connects: <c>user@host:port</c>, the private key, and how the
/// host's key is verified. Secrets never appear here: a key's passphrase is read from an environment variable or
/// a file named by <see cref="PassphraseEnvironmentVariable"/> / <see cref="PassphraseFile"/>.
/// </summary>
public sealed record SshTarget
{
    /// <summary>The SSH port used when a target names none.</summary>
    public const int DefaultPort = 22;

    public SshTarget(string user, string host, int port = DefaultPort)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        User = user;
        Host = host;
        Port = port;
    }

    /// <summary>The user to log in as (e.g. <c>deploy</c>).</summary>
    public string User { get; }

    /// <summary>Host name or IP address (IPv6 without brackets).</summary>
    public string Host { get; }

    /// <summary>TCP port of sshd (22 unless set).</summary>
    public int Port { get; }

    /// <summary>Private key file (OpenSSH, PEM or PuTTY format); <c>~/.ssh/id_ed25519</c> unless set.</summary>
    public string PrivateKeyPath { get; init; } = HomePath(".ssh", "id_ed25519");

    /// <summary>Name of an environment variable holding the key's passphrase; null when the key has none.</summary>
    public string? PassphraseEnvironmentVariable { get; init; }

    /// <summary>A file holding the key's passphrase (first line); null when the key has none.</summary>
    public string? PassphraseFile { get; init; }

    /// <summary>OpenSSH known_hosts file the host key is checked against; <c>~/.ssh/known_hosts</c> unless set.</summary>
    public string KnownHostsPath { get; init; } = HomePath(".ssh", "known_hosts");

    /// <summary>
    /// Refuse hosts whose key is not in <see cref="KnownHostsPath"/> (the default). False accepts any host key:
    /// an explicit opt-out, logged as a warning on every connection.
    /// </summary>
    public bool StrictHostKeyChecking { get; init; } = true;

    /// <summary>How long opening the connection (TCP, key exchange, authentication) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>An overall deadline per command; null for none. A command over it is killed and fails.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    /// <summary><c>user@host:port</c>, with IPv6 hosts in brackets.</summary>
    public string Address => $"{User}@{HostAndPort}";

    /// <summary><c>host:port</c>, with IPv6 hosts in brackets.</summary>
    public string HostAndPort => (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses <c>ssh://user@host:port</c>, <c>user@host:port</c> or <c>user@host</c> (port 22).</summary>
    /// <exception cref="SshTargetFormatException">The text is not such a target; the message says why.</exception>
    public static SshTarget Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return TryParse(value, out var target, out var error) ? target : throw new SshTargetFormatException(error);
    }

    /// <summary>Like <see cref="Parse(string)"/>, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out SshTarget? target) =>
        TryParse(value, out target, out _);

    /// <summary>Like <see cref="Parse(string)"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out SshTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        const string Expected = "expected user@host, user@host:port or ssh://user@host:port";
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

        target = new SshTarget(user, host, port);
        error = null;
        return true;
    }

    /// <summary>The address, for logs: <c>user@host:port</c>.</summary>
    public override string ToString() => Address;

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

    private static string HomePath(params string[] parts) =>
        Path.Combine([Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), .. parts]);
}
