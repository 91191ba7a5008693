using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using DeployMind.Domain.Hosts;

namespace DeployMind.Infrastructure.Processes;

/// <summary>
/// Where and how <see cref="SshCommandRunner"/> connects: <c>user@host:port</c>, the private key, and how the
/// host's key is verified. Secrets never appear here: a key's passphrase is read from an environment variable or
/// a file named by <see cref="PassphraseEnvironmentVariable"/> / <see cref="PassphraseFile"/>.
/// </summary>
public sealed record SshTarget
{
    /// <summary>The SSH port used when a target names none.</summary>
    public const int DefaultPort = HostAddress.Ssh.DefaultPort;

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

    /// <summary>Like <see cref="Parse(string)"/>; on failure <paramref name="error"/> says what is wrong (the parsing is <see cref="HostAddress.Ssh"/>'s).</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out SshTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = HostAddress.Ssh.TryParse(value, out var address, out error) ? From(address) : null;
        return target is not null;
    }

    /// <summary>The target for a parsed SSH address (default key, known_hosts and strict checking).</summary>
    public static SshTarget From(HostAddress.Ssh address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new SshTarget(address.User, address.Host, address.Port);
    }

    /// <summary>The address, for logs: <c>user@host:port</c>.</summary>
    public override string ToString() => Address;

    private static string HomePath(params string[] parts) =>
        Path.Combine([Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), .. parts]);
}
