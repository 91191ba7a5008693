using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;
using SshNetAuthenticationException = Renci.SshNet.Common.SshAuthenticationException;
using SshNetConnectionException = Renci.SshNet.Common.SshConnectionException;

namespace DeployMind.Infrastructure.Processes;

/// <summary>The one SSH connection: opened lazily, verified against known_hosts, reopened when it dropped.</summary>
internal sealed partial class SshCommandRunner
{
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private Connection? _connection;
    private int _connectionsOpened;
    private bool _disposed;

    /// <summary>How many connections this runner has opened (1 unless one dropped); for tests and diagnostics.</summary>
    internal int ConnectionsOpened => Volatile.Read(ref _connectionsOpened);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _connectGate.Wait();
        try
        {
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Opens a channel and starts <paramref name="line"/> on it. If the connection turns out to be gone (the server
    /// restarted, the network dropped), it is reopened once: the command had not started, so this is safe.
    /// </summary>
    private async Task<(SshCommand Command, Task Execution)> StartAsync(string line, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var connection = await GetConnectionAsync(cancellationToken);
            var command = connection.Client.CreateCommand(line, Utf8);
            try
            {
                // ExecuteAsync opens the channel and sends the exec request synchronously (a round trip, or a wait
                // for a free channel), so it runs off the caller's thread. It is not handed the token: once the
                // exec request is out, stopping takes StopRemoteAsync, never just closing the channel.
                var execution = await Task.Factory.StartNew(
                    () => command.ExecuteAsync(CancellationToken.None),
                    CancellationToken.None,
                    TaskCreationOptions.DenyChildAttach,
                    TaskScheduler.Default);
                return (command, execution);
            }
            catch (Exception ex) when (attempt == 1 && IsConnectionLost(ex))
            {
                command.Dispose();
                LogReconnecting(Name, ex.Message);
                await DropAsync(connection);
            }
            catch (Exception ex) when (IsConnectionLost(ex))
            {
                command.Dispose();
                throw new SshConnectionException($"Could not open a channel to {_target.Address}: {ex.Message}", ex);
            }
            catch
            {
                command.Dispose();
                throw;
            }
        }
    }

    private static bool IsConnectionLost(Exception ex) =>
        ex is SshNetConnectionException or ObjectDisposedException or SocketException or SshOperationTimeoutException;

    private async Task<Connection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _connection);
        if (current is { Client.IsConnected: true })
        {
            return current;
        }

        await _connectGate.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_connection is { Client.IsConnected: true })
            {
                return _connection;
            }

            if (_connection is not null)
            {
                LogReconnecting(Name, "the connection was closed");
                _connection.Dispose();
                _connection = null;
            }

            var opened = await ConnectAsync(cancellationToken);
            Interlocked.Increment(ref _connectionsOpened);
            Volatile.Write(ref _connection, opened);
            return opened;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task DropAsync(Connection stale)
    {
        await _connectGate.WaitAsync(CancellationToken.None);
        try
        {
            if (ReferenceEquals(_connection, stale))
            {
                _connection = null;
                stale.Dispose();
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        var key = LoadPrivateKey();
        var authentication = new PrivateKeyAuthenticationMethod(_target.User, key);
        var info = new ConnectionInfo(_target.Host, _target.Port, _target.User, authentication)
        {
            Timeout = _target.ConnectTimeout,
            MaxSessions = MaxSessions,
            Encoding = Utf8,
        };
        var knownHosts = _target.StrictHostKeyChecking ? LoadKnownHosts() : null;
        if (knownHosts is not null)
        {
            PreferKnownKeyTypes(info, knownHosts.KeyTypesFor(_target.Host, _target.Port));
        }

        var client = new SshClient(info) { KeepAliveInterval = TimeSpan.FromSeconds(30) };
        var connection = new Connection(client, authentication, key);
        HostKeyVerdict? verdict = null;
        var fingerprint = string.Empty;
        client.HostKeyReceived += (_, e) =>
        {
            fingerprint = "SHA256:" + e.FingerPrintSHA256;
            if (knownHosts is null)
            {
                LogHostKeyAccepted(_target.HostAndPort, fingerprint);
                e.CanTrust = true;
                return;
            }

            verdict = knownHosts.Verify(_target.Host, _target.Port, e.HostKey);
            e.CanTrust = verdict.Status == HostKeyStatus.Trusted;
        };

        LogConnecting(Name, _target.PrivateKeyPath);
        using var timeout = new CancellationTokenSource(_target.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await client.ConnectAsync(linked.Token);
            LogConnected(Name, fingerprint);
            return connection;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            throw;
        }
        catch (Exception ex) when (verdict is { Status: not HostKeyStatus.Trusted })
        {
            connection.Dispose();
            throw new SshHostKeyException(DescribeHostKeyFailure(verdict, knownHosts!, fingerprint), ex);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SshOperationTimeoutException
            || FindSocketError(ex) is SocketError.TimedOut)
        {
            connection.Dispose();
            throw new SshConnectionException(
                $"Could not connect to {_target.Address}: no SSH answer within {_target.ConnectTimeout.TotalSeconds:0.###} s. Is the host up, the port right, and the port open in its firewall?",
                ex);
        }
        catch (SshNetAuthenticationException ex)
        {
            connection.Dispose();
            throw new SshAuthenticationFailedException(
                $"{_target.HostAndPort} rejected the key {_target.PrivateKeyPath} (user {_target.User}). Is its public key in ~/.ssh/authorized_keys on the host?",
                ex);
        }
        catch (Exception ex) when (FindSocketError(ex) is { } error)
        {
            connection.Dispose();
            throw new SshConnectionException(DescribeSocketError(error, ex), ex);
        }
        catch (Exception ex) when (ex is SshException or ProxyException or IOException)
        {
            connection.Dispose();
            throw new SshConnectionException($"The SSH connection to {_target.Address} failed: {ex.Message}", ex);
        }
    }

    private string DescribeSocketError(SocketError error, Exception ex) => error switch
    {
        SocketError.ConnectionRefused =>
            $"Could not connect to {_target.Address}: connection refused. Is sshd running and the port right?",
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
            $"Could not connect to {_target.Address}: the host name '{_target.Host}' does not resolve. Is it spelled right?",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable =>
            $"Could not connect to {_target.Address}: the host is unreachable from here. Is the address right and the network up?",
        SocketError.ConnectionReset or SocketError.ConnectionAborted =>
            $"Could not connect to {_target.Address}: the server closed the connection during the handshake. Is it an SSH server, and does it allow this client (MaxStartups, AllowUsers, fail2ban)?",
        _ => $"Could not connect to {_target.Address}: {ex.Message}.",
    };

    private string DescribeHostKeyFailure(HostKeyVerdict verdict, SshKnownHosts knownHosts, string fingerprint)
    {
        var name = SshKnownHosts.LookupName(_target.Host, _target.Port);
        var scan = _target.Port == SshTarget.DefaultPort
            ? $"ssh-keyscan {_target.Host} >> {knownHosts.Path}"
            : $"ssh-keyscan -p {_target.Port} {_target.Host} >> {knownHosts.Path}";
        return verdict.Status switch
        {
            HostKeyStatus.Mismatch =>
                $"The host key of {_target.HostAndPort} ({verdict.KeyType} {fingerprint}) does not match known_hosts ({knownHosts.Path}, line {verdict.Line}). "
                + $"If the host was rebuilt, remove the old entry with ssh-keygen -R '{name}' -f {knownHosts.Path} and add the new one ({scan}); otherwise someone may be intercepting the connection.",
            HostKeyStatus.Revoked =>
                $"The host key of {_target.HostAndPort} ({verdict.KeyType} {fingerprint}) is marked @revoked in known_hosts ({knownHosts.Path}, line {verdict.Line}). Do not connect until the host has a new key.",
            _ when !knownHosts.Exists =>
                $"The host {_target.HostAndPort} ({verdict.KeyType} {fingerprint}) is not in known_hosts: {knownHosts.Path} does not exist. "
                + $"Add it with {scan}, or opt out with strictHostKeyChecking: false.",
            _ when verdict.KnownKeyTypes.Count > 0 =>
                $"The host {_target.HostAndPort} offered a {verdict.KeyType} key ({fingerprint}), but known_hosts ({knownHosts.Path}) only has {string.Join(", ", verdict.KnownKeyTypes)} keys for it. "
                + $"Add its {verdict.KeyType} key with ssh-keyscan -t {verdict.KeyType} {(_target.Port == SshTarget.DefaultPort ? string.Empty : $"-p {_target.Port} ")}{_target.Host} >> {knownHosts.Path}, or opt out with strictHostKeyChecking: false.",
            _ =>
                $"The host {_target.HostAndPort} ({verdict.KeyType} {fingerprint}) is not in known_hosts ({knownHosts.Path}); add it with {scan}, or opt out with strictHostKeyChecking: false.",
        };
    }

    private static SocketError? FindSocketError(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    /// <summary>
    /// Like OpenSSH, asks first for the host key types known_hosts has for this host (moving the others to the end),
    /// so a host with an rsa and an ed25519 key is verified by the one on file.
    /// </summary>
    private static void PreferKnownKeyTypes(ConnectionInfo info, IReadOnlyCollection<string> knownTypes)
    {
        if (knownTypes.Count == 0)
        {
            return;
        }

        foreach (var algorithm in info.HostKeyAlgorithms.Keys.ToList())
        {
            if (!knownTypes.Contains(KeyTypeOfAlgorithm(algorithm), StringComparer.Ordinal))
            {
                var factory = info.HostKeyAlgorithms[algorithm];
                info.HostKeyAlgorithms.Remove(algorithm);
                info.HostKeyAlgorithms.Add(algorithm, factory);
            }
        }
    }

    private static string KeyTypeOfAlgorithm(string algorithm) =>
        algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;

    private SshKnownHosts LoadKnownHosts()
    {
        try
        {
            return SshKnownHosts.Load(_target.KnownHostsPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SshConnectionException($"Could not read known_hosts {_target.KnownHostsPath} to verify {_target.HostAndPort}: {ex.Message}", ex);
        }
    }

    private PrivateKeyFile LoadPrivateKey()
    {
        var path = _target.PrivateKeyPath;
        if (!File.Exists(path))
        {
            throw new SshKeyFileException(
                $"The private key {path} for {_target.Address} does not exist. Set the host's `key` (environments.<name>.target.docker.hosts[].key) to a key whose public half is in ~/.ssh/authorized_keys on the host.");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SshKeyFileException($"The private key {path} for {_target.Address} could not be read: {ex.Message}", ex);
        }

        var passphrase = ReadPassphrase();
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return new PrivateKeyFile(stream, passphrase);
        }
        catch (SshPassPhraseNullOrEmptyException ex)
        {
            throw new SshKeyFileException(
                $"The private key {path} is protected by a passphrase; name the environment variable (passphraseEnv) or file (passphraseFile) that holds it.", ex);
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException or CryptographicException or EndOfStreamException)
        {
            var hint = passphrase is null ? string.Empty : " and is the passphrase right";
            throw new SshKeyFileException(
                $"The private key {path} could not be loaded ({ex.Message}). Is it an OpenSSH, PEM or PuTTY private key{hint}?", ex);
        }
    }

    private string? ReadPassphrase()
    {
        if (_target.PassphraseEnvironmentVariable is { } variable)
        {
            return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new SshKeyFileException(
                    $"The environment variable {variable}, named as the passphrase of {_target.PrivateKeyPath}, is not set.");
        }

        if (_target.PassphraseFile is { } file)
        {
            try
            {
                using var reader = new StreamReader(file, Encoding.UTF8);
                return reader.ReadLine() ?? string.Empty;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new SshKeyFileException($"The passphrase file {file} for {_target.PrivateKeyPath} could not be read: {ex.Message}", ex);
            }
        }

        return null;
    }

    /// <summary>A connected client and the key material it owns.</summary>
    private sealed class Connection(SshClient client, PrivateKeyAuthenticationMethod authentication, PrivateKeyFile key) : IDisposable
    {
        public SshClient Client { get; } = client;

        public void Dispose()
        {
            Client.Dispose();
            authentication.Dispose();
            key.Dispose();
        }
    }
}
