using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DeployMind.Infrastructure.Processes;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Processes;

/// <summary>
/// SshCommandRunner's own behaviour (connection, host keys, key files, timeouts) against the real sshd on 127.0.0.1:2222
/// (scripts/services/sshd.sh). What every runner does (output, input, arguments, cancellation, secrets) is in
/// <see cref="SshCommandRunnerContractTests"/>.
/// </summary>
public sealed class SshCommandRunnerTests : IDisposable
{
    // Some other ed25519 key: what known_hosts holds when the host was rebuilt (or someone is in between).
    private const string OtherHostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKt8i8wA8AFxKZ/oEgetGCZeUUbbRtkg9KbbP6ibmzJK";

    private readonly SshCommandRunner _runner;
    private readonly TempFolder _temp = new();

    public SshCommandRunnerTests()
    {
        SshTestServer.EnsureRunning();
        _runner = SshTestServer.CreateRunner();
    }

    public void Dispose()
    {
        _runner.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task RunAsync_Environment_NeverOnTheHostsProcessList()
    {
        var value = "v-" + Guid.NewGuid().ToString("N");
        var command = CommandSpec.Create("sh", "-c", "sleep 1; printf '%s' \"$DM_VALUE\"").WithEnvironment("DM_VALUE", value);
        using var stop = new CancellationTokenSource();
        var seen = new System.Text.StringBuilder();
        var local = new LocalProcessRunner(Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalProcessRunner>.Instance, TimeProvider.System);
        var watch = Task.Run(async () =>
        {
            // The test sshd runs on this machine: its sessions' command lines are in this process list.
            while (!stop.IsCancellationRequested)
            {
                seen.Append((await local.RunAsync(CommandSpec.Create("ps", "-eww", "-o", "args="), null, CancellationToken.None)).StandardOutput);
            }
        });

        var result = await _runner.RunAsync(command, null, CancellationToken.None);
        await stop.CancelAsync();
        await watch;

        Assert.Equal(value + "\n", result.StandardOutput);
        Assert.Contains("deploymind-env-end:", seen.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(value, seen.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Name_Target_IsSshUserHostPort()
    {
        Assert.Equal("ssh root@127.0.0.1:2222", _runner.Name);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_IsExitCode127()
    {
        // The contract only asks for a non-zero code naming the program; callers over SSH read 127 (CommandHttpProbe).
        var result = await _runner.RunAsync(CommandSpec.Create("dm-no-such-program-" + Guid.NewGuid().ToString("N")), null, CancellationToken.None);

        Assert.Equal(127, result.ExitCode);
        Assert.Contains("not found", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ManySequentialCommands_ReuseOneConnection()
    {
        var connections = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 20; i++)
        {
            var result = await _runner.RunAsync(CommandSpec.Create("printenv", "SSH_CONNECTION"), null, CancellationToken.None);
            connections.Add(result.StandardOutput.Trim());
        }

        // SSH_CONNECTION is "client-ip client-port server-ip server-port": one client port, one TCP connection.
        var connection = Assert.Single(connections);
        Assert.StartsWith("127.0.0.1 ", connection, StringComparison.Ordinal);
        Assert.Equal(1, _runner.ConnectionsOpened);
    }

    [Fact]
    public async Task RunAsync_ConcurrentCommands_RunSideBySideOnOneConnection()
    {
        // Each command says when (on the host's clock) it started and ended its 1 s sleep. Run one after another, no two
        // would overlap; side by side, several sleep at once. Overlap, not a wall-clock bound: sessions open slowly on a
        // loaded host, and that says nothing about whether they share the connection concurrently.
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            _runner.RunAsync(CommandSpec.Create("sh", "-c", $"echo {i}; printenv SSH_CONNECTION; date +%s%N; sleep 1; date +%s%N"), null, CancellationToken.None)));

        var lines = results.Select(r => r.StandardOutput.Split('\n')).ToList();
        Assert.Equal(Enumerable.Range(0, 6).Select(i => i.ToString(CultureInfo.InvariantCulture)), lines.Select(l => l[0]));
        Assert.Single(lines.Select(l => l[1]).Distinct(StringComparer.Ordinal));
        Assert.Equal(1, _runner.ConnectionsOpened);
        var spans = lines.Select(l => (Start: long.Parse(l[2], CultureInfo.InvariantCulture), End: long.Parse(l[3], CultureInfo.InvariantCulture))).ToList();
        var mostAtOnce = spans.Max(s => spans.Count(o => o.Start <= s.Start && s.Start < o.End));
        Assert.True(mostAtOnce >= 2, $"no two of the six 1 s commands ran at the same time: they ran one after another");
    }

    [Fact]
    public async Task RunAsync_ConnectionDropped_ReconnectsTransparently()
    {
        // The user's command -> the runner's sh (sshd's session process group leader) -> sshd's per-connection process.
        var first = await _runner.RunAsync(CommandSpec.Create("sh", "-c", "cut -d' ' -f4 /proc/$PPID/stat"), null, CancellationToken.None);
        var sshdPid = int.Parse(first.StandardOutput.Trim(), CultureInfo.InvariantCulture);
        Assert.Contains("sshd", await File.ReadAllTextAsync($"/proc/{sshdPid}/cmdline"), StringComparison.Ordinal);

        using (var sshd = Process.GetProcessById(sshdPid))
        {
            sshd.Kill();
            await sshd.WaitForExitAsync();
        }

        var second = await _runner.RunAsync(CommandSpec.Create("echo", "back"), null, CancellationToken.None);

        Assert.Equal("back\n", second.StandardOutput);
        Assert.Equal(2, _runner.ConnectionsOpened);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KeepsTheConnectionForTheNextCommand()
    {
        // That the remote process is killed is the runner contract's (CommandRunnerContract); this is SSH's own part.
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var run = _runner.RunAsync(CommandSpec.Create("sh", "-c", "echo started; sleep 3001"), l => started.TrySetResult(), cts.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var next = await _runner.RunAsync(CommandSpec.Create("echo", "next"), null, CancellationToken.None);

        Assert.Equal("next\n", next.StandardOutput);
        Assert.Equal(1, _runner.ConnectionsOpened);
    }

    [Fact]
    public async Task RunAsync_CommandTimeout_ThrowsNamingTheTimeoutAndHost()
    {
        // That the process is killed is the runner contract's (CommandRunnerContract); this is the message.
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { CommandTimeout = TimeSpan.FromSeconds(1.5) });

        var ex = await Assert.ThrowsAsync<SshCommandTimeoutException>(() => runner.RunAsync(CommandSpec.Create("sleep", "3001"), null, CancellationToken.None));

        Assert.Contains("`sleep 3001` on root@127.0.0.1:2222 did not finish within its 1.5 s command timeout; it was killed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(1.5), ex.Timeout);
    }

    [Fact]
    public async Task RunAsync_CommandWithinTimeout_Succeeds()
    {
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { CommandTimeout = TimeSpan.FromSeconds(30) });

        var result = await runner.RunAsync(CommandSpec.Create("echo", "quick"), null, CancellationToken.None);

        Assert.Equal("quick\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_UnusedPort_ThrowsConnectionRefused()
    {
        var port = Docker.FreePort();
        await using var runner = SshTestServer.CreateRunner(
            new SshTarget("deploy", "127.0.0.1", port) { PrivateKeyPath = SshTestServer.PrivateKey, KnownHostsPath = SshTestServer.KnownHosts });

        var ex = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Equal($"Could not connect to deploy@127.0.0.1:{port}: connection refused. Is sshd running and the port right?", ex.Message);
    }

    [Fact]
    public async Task RunAsync_ServerNeverAnswers_ThrowsConnectTimeout()
    {
        // A listener that accepts TCP (the kernel does) but never sends an SSH banner.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using var runner = SshTestServer.CreateRunner(
            new SshTarget("deploy", "127.0.0.1", port) { PrivateKeyPath = SshTestServer.PrivateKey, ConnectTimeout = TimeSpan.FromSeconds(1) });
        var started = Stopwatch.GetTimestamp();

        var ex = await Assert.ThrowsAsync<SshConnectionException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Contains($"Could not connect to deploy@127.0.0.1:{port}: no SSH answer within 1 s", ex.Message, StringComparison.Ordinal);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task RunAsync_WrongKey_ThrowsAuthenticationFailed()
    {
        var key = await NewKeyAsync(passphrase: string.Empty);
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PrivateKeyPath = key });

        var ex = await Assert.ThrowsAsync<SshAuthenticationFailedException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Equal($"127.0.0.1:2222 rejected the key {key} (user root). Is its public key in ~/.ssh/authorized_keys on the host?", ex.Message);
    }

    [Fact]
    public async Task RunAsync_MissingKeyFile_ThrowsKeyFileError()
    {
        var key = Path.Combine(_temp.Path, "no_such_key");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PrivateKeyPath = key });

        var ex = await Assert.ThrowsAsync<SshKeyFileException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Contains($"The private key {key} for root@127.0.0.1:2222 does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EncryptedKeyWithoutPassphrase_SaysWhereToPutIt()
    {
        var key = await NewKeyAsync("correct horse");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PrivateKeyPath = key });

        var ex = await Assert.ThrowsAsync<SshKeyFileException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Equal($"The private key {key} is protected by a passphrase; name the environment variable (passphraseEnv) or file (passphraseFile) that holds it.", ex.Message);
    }

    [Fact]
    public async Task RunAsync_EncryptedKeyWithPassphraseFile_UsesTheKey()
    {
        var key = await NewKeyAsync("correct horse");
        var passphrase = _temp.Write("passphrase", "correct horse\n");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PrivateKeyPath = key, PassphraseFile = passphrase });

        // The key is not authorised on the server: being rejected proves it was decrypted and offered.
        var ex = await Assert.ThrowsAsync<SshAuthenticationFailedException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.DoesNotContain("correct horse", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_WrongPassphrase_SaysTheKeyCouldNotBeLoaded()
    {
        var key = await NewKeyAsync("correct horse");
        var variable = "DM_TEST_PASSPHRASE_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "battery staple");
        try
        {
            await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PrivateKeyPath = key, PassphraseEnvironmentVariable = variable });

            var ex = await Assert.ThrowsAsync<SshKeyFileException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

            Assert.StartsWith($"The private key {key} could not be loaded (", ex.Message, StringComparison.Ordinal);
            Assert.EndsWith("and is the passphrase right?", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("battery staple", ex.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task RunAsync_PassphraseVariableUnset_NamesTheVariable()
    {
        var variable = "DM_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { PassphraseEnvironmentVariable = variable });

        var ex = await Assert.ThrowsAsync<SshKeyFileException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Equal($"The environment variable {variable}, named as the passphrase of {SshTestServer.PrivateKey}, is not set.", ex.Message);
    }

    [Fact]
    public async Task RunAsync_HostKeyMismatch_ThrowsWithFileLineAndFix()
    {
        var knownHosts = _temp.Write("known_hosts", $"# rebuilt hosts\n[127.0.0.1]:2222 {OtherHostKey}\n");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { KnownHostsPath = knownHosts });

        var ex = await Assert.ThrowsAsync<SshHostKeyException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.StartsWith($"The host key of 127.0.0.1:2222 (ssh-ed25519 {ServerFingerprint()}) does not match known_hosts ({knownHosts}, line 2).", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"remove the old entry with ssh-keygen -R '[127.0.0.1]:2222' -f {knownHosts}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnknownHostWithStrictChecking_ThrowsWithKeyscanHint()
    {
        var knownHosts = _temp.Write("known_hosts", $"web-1.example.com {OtherHostKey}\n");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { KnownHostsPath = knownHosts });

        var ex = await Assert.ThrowsAsync<SshHostKeyException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Equal(
            $"The host 127.0.0.1:2222 (ssh-ed25519 {ServerFingerprint()}) is not in known_hosts ({knownHosts}); add it with ssh-keyscan -p 2222 127.0.0.1 >> {knownHosts}, or opt out with strictHostKeyChecking: false.",
            ex.Message);
    }

    [Fact]
    public async Task RunAsync_MissingKnownHostsWithStrictChecking_SaysTheFileIsMissing()
    {
        var knownHosts = Path.Combine(_temp.Path, "absent_known_hosts");
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { KnownHostsPath = knownHosts });

        var ex = await Assert.ThrowsAsync<SshHostKeyException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));

        Assert.Contains($"is not in known_hosts: {knownHosts} does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StrictCheckingOff_ConnectsToUnknownHost()
    {
        var target = SshTestServer.Target with { KnownHostsPath = Path.Combine(_temp.Path, "absent_known_hosts"), StrictHostKeyChecking = false };
        await using var runner = SshTestServer.CreateRunner(target);

        var result = await runner.RunAsync(CommandSpec.Create("echo", "trusted anyway"), null, CancellationToken.None);

        Assert.Equal("trusted anyway\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_HashedKnownHosts_Connects()
    {
        var knownHosts = _temp.Write("known_hosts", await File.ReadAllTextAsync(SshTestServer.KnownHosts));
        (await Docker.Runner.RunAsync(CommandSpec.Create("ssh-keygen", "-H", "-f", knownHosts), null, CancellationToken.None)).EnsureSuccess();
        Assert.StartsWith("|1|", await File.ReadAllTextAsync(knownHosts), StringComparison.Ordinal);
        await using var runner = SshTestServer.CreateRunner(SshTestServer.Target with { KnownHostsPath = knownHosts });

        var result = await runner.RunAsync(CommandSpec.Create("echo", "hashed"), null, CancellationToken.None);

        Assert.Equal("hashed\n", result.StandardOutput);
    }

    [Fact]
    public async Task RunAsync_AfterDispose_Throws()
    {
        var runner = SshTestServer.CreateRunner();
        await runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None);
        await runner.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.RunAsync(CommandSpec.Create("true"), null, CancellationToken.None));
    }

    /// <summary>A new ed25519 key pair in the temp folder, not authorised anywhere.</summary>
    private async Task<string> NewKeyAsync(string passphrase)
    {
        var key = Path.Combine(_temp.Path, "id_" + Guid.NewGuid().ToString("N")[..8]);
        var keygen = CommandSpec.Create("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "dm-test", "-f", key);
        (await Docker.Runner.RunAsync(keygen, null, CancellationToken.None)).EnsureSuccess();
        return key;
    }

    private static string ServerFingerprint()
    {
        var blob = Convert.FromBase64String(File.ReadAllText(SshTestServer.HostPublicKey).Split(' ')[1]);
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }
}
