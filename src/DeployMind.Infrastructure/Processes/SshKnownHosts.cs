using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DeployMind.Infrastructure.Processes;

/// <summary>How a host key compares with a known_hosts file.</summary>
internal enum HostKeyStatus
{
    /// <summary>An entry for the host holds exactly this key.</summary>
    Trusted,

    /// <summary>No entry for the host holds a key of this type.</summary>
    Unknown,

    /// <summary>An entry for the host holds a different key of the same type: the host changed, or someone is in between.</summary>
    Mismatch,

    /// <summary>The key is listed as <c>@revoked</c>.</summary>
    Revoked,
}

/// <summary>The result of <see cref="SshKnownHosts.Verify"/>; <paramref name="Line"/> is the 1-based line that decided it.</summary>
internal sealed record HostKeyVerdict(HostKeyStatus Status, string KeyType, int? Line, IReadOnlyCollection<string> KnownKeyTypes);

/// <summary>One usable line of a known_hosts file.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Marker">Empty, <c>@revoked</c> or <c>@cert-authority</c>.</param>
/// <param name="Hosts">The host field: comma-separated patterns, or one hashed <c>|1|salt|hash</c> entry.</param>
/// <param name="KeyType">The key's type, read from the key blob (e.g. <c>ssh-ed25519</c>).</param>
/// <param name="Key">The public key blob, as sent by the server.</param>
internal sealed record KnownHostsEntry(int Line, string Marker, string Hosts, string KeyType, byte[] Key);

/// <summary>
/// An OpenSSH known_hosts file: plain and hashed (<c>|1|salt|HMAC-SHA1</c>) host fields, <c>[host]:port</c> names for
/// ports other than 22, patterns with <c>*</c>, <c>?</c> and <c>!</c>, and <c>@revoked</c> lines. Keys are compared as
/// the server's key blob, so any key type (ed25519, ecdsa, rsa) works. <c>@cert-authority</c> lines are ignored.
/// </summary>
internal sealed class SshKnownHosts
{
    private const string HashMagic = "|1|";

    private SshKnownHosts(string path, bool exists, IReadOnlyList<KnownHostsEntry> entries)
    {
        Path = path;
        Exists = exists;
        Entries = entries;
    }

    /// <summary>Where the entries were read from.</summary>
    public string Path { get; }

    /// <summary>Whether the file existed.</summary>
    public bool Exists { get; }

    public IReadOnlyList<KnownHostsEntry> Entries { get; }

    /// <summary>Reads <paramref name="path"/>; a missing file has no entries.</summary>
    public static SshKnownHosts Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return File.Exists(path) ? Parse(path, File.ReadAllText(path)) : new SshKnownHosts(path, exists: false, []);
    }

    /// <summary>Parses known_hosts text; lines that are comments or malformed are skipped, as OpenSSH does.</summary>
    public static SshKnownHosts Parse(string path, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var entries = new List<KnownHostsEntry>();
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (TryParseLine(i + 1, lines[i], out var entry))
            {
                entries.Add(entry);
            }
        }

        return new SshKnownHosts(path, exists: true, entries);
    }

    /// <summary>The name OpenSSH looks up: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string LookupName(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host.ToLowerInvariant();
        return port == SshTarget.DefaultPort ? name : $"[{name}]:{port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The key type inside an SSH public key blob (its first string), or null when malformed.</summary>
    public static string? KeyTypeOf(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length == 0 || length > 64 || length > blob.Length - 4)
        {
            return null;
        }

        var type = Encoding.ASCII.GetString(blob.Slice(4, (int)length));
        return type.All(c => c is > ' ' and < '\u007f') ? type : null;
    }

    /// <summary>The key types known for a host, e.g. to prefer them when negotiating.</summary>
    public IReadOnlyCollection<string> KeyTypesFor(string host, int port)
    {
        var name = LookupName(host, port);
        return Entries.Where(e => e.Marker.Length == 0 && Matches(e.Hosts, name))
            .Select(e => e.KeyType)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>Compares the key a server presented with the entries for <paramref name="host"/>:<paramref name="port"/>.</summary>
    public HostKeyVerdict Verify(string host, int port, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var name = LookupName(host, port);
        var keyType = KeyTypeOf(key) ?? "unknown";
        var known = KeyTypesFor(host, port);

        var revoked = Entries.FirstOrDefault(e => e.Marker == "@revoked" && CryptographicOperations.FixedTimeEquals(e.Key, key));
        if (revoked is not null)
        {
            return new HostKeyVerdict(HostKeyStatus.Revoked, keyType, revoked.Line, known);
        }

        var candidates = Entries.Where(e => e.Marker.Length == 0 && Matches(e.Hosts, name)).ToList();
        var same = candidates.FirstOrDefault(e => CryptographicOperations.FixedTimeEquals(e.Key, key));
        if (same is not null)
        {
            return new HostKeyVerdict(HostKeyStatus.Trusted, keyType, same.Line, known);
        }

        var changed = candidates.FirstOrDefault(e => e.KeyType == keyType);
        return changed is not null
            ? new HostKeyVerdict(HostKeyStatus.Mismatch, keyType, changed.Line, known)
            : new HostKeyVerdict(HostKeyStatus.Unknown, keyType, null, known);
    }

    /// <summary>Whether a host field (plain patterns or one hashed name) covers <paramref name="name"/>.</summary>
    internal static bool Matches(string hosts, string name)
    {
        if (hosts.StartsWith(HashMagic, StringComparison.Ordinal))
        {
            return MatchesHashed(hosts, name);
        }

        // OpenSSH: a negated pattern that matches rejects the line whatever else matches.
        var matched = false;
        foreach (var pattern in hosts.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var negated = pattern.StartsWith('!');
            if (Glob(negated ? pattern[1..] : pattern, name))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }

    /// <summary>The hashed host field OpenSSH writes with <c>HashKnownHosts yes</c> (for tests and tools).</summary>
    internal static string Hash(string name, byte[] salt)
    {
        return HashMagic + Convert.ToBase64String(salt) + "|" + Convert.ToBase64String(HmacSha1(salt, name));
    }

    private static bool MatchesHashed(string hosts, string name)
    {
        var parts = hosts[HashMagic.Length..].Split('|');
        if (parts.Length != 2)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[0]);
            var expected = Convert.FromBase64String(parts[1]);
            return CryptographicOperations.FixedTimeEquals(HmacSha1(salt, name), expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "OpenSSH defines hashed known_hosts names as HMAC-SHA1; matching them needs the same.")]
    private static byte[] HmacSha1(byte[] salt, string name) => HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(name));

    private static bool TryParseLine(int number, string line, [NotNullWhen(true)] out KnownHostsEntry? entry)
    {
        entry = null;
        var fields = line.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].StartsWith('#'))
        {
            return false;
        }

        var marker = string.Empty;
        if (fields[0].StartsWith('@'))
        {
            marker = fields[0];
            fields = fields[1..];
            if (marker is not ("@revoked" or "@cert-authority"))
            {
                return false;
            }
        }

        if (fields.Length < 3)
        {
            return false;
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(fields[2]);
        }
        catch (FormatException)
        {
            return false;
        }

        var keyType = KeyTypeOf(key);
        if (keyType is null)
        {
            return false;
        }

        entry = new KnownHostsEntry(number, marker, fields[0], keyType, key);
        return true;
    }

    /// <summary>OpenSSH's pattern match: <c>*</c> any run, <c>?</c> one character, case-insensitive.</summary>
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
