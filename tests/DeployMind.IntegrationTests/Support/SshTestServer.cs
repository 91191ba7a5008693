using System.Net.Sockets;
using System.Text;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Support;

/// <summary>The test sshd that scripts/services/sshd.sh starts: its address and files, in one place.</summary>
internal static class SshTestServer
{
    public const string Directory = "/var/lib/deploymind-test/ssh";
    public const string Host = "127.0.0.1";
    public const int Port = 2222;
    public const string User = "root";

    /// <summary>The client key sshd.sh authorised for root.</summary>
    public static string PrivateKey => Path.Combine(Directory, "id_ed25519");

    /// <summary>known_hosts with the server's <c>[127.0.0.1]:2222</c> entry.</summary>
    public static string KnownHosts => Path.Combine(Directory, "known_hosts");

    /// <summary>The server's host public key (<c>ssh-ed25519 AAAA... comment</c>).</summary>
    public static string HostPublicKey => Path.Combine(Directory, "ssh_host_ed25519_key.pub");

    /// <summary>A target for the test server, host key checked against <see cref="KnownHosts"/>.</summary>
    public static SshTarget Target => new(User, Host, Port) { PrivateKeyPath = PrivateKey, KnownHostsPath = KnownHosts };

    public static SshCommandRunner CreateRunner(SshTarget? target = null) =>
        new(target ?? Target, NullLogger<SshCommandRunner>.Instance, TimeProvider.System);

    /// <summary>Fails with what to do unless the server is up and its files are in place.</summary>
    public static void EnsureRunning() =>
        EnsureAnswering(
            "The SSH test server",
            Host,
            Port,
            [PrivateKey, KnownHosts, HostPublicKey],
            "Run `sudo bash scripts/services/sshd.sh` (it starts a test sshd on 127.0.0.1:2222), then run the tests again.");

    /// <summary>Fails with <paramref name="fix"/> unless every file is there and an sshd sends its banner on <paramref name="host"/>:<paramref name="port"/>.</summary>
    internal static void EnsureAnswering(string what, string host, int port, IEnumerable<string> files, string fix)
    {
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{what} is not set up: {file} is missing. {fix}");
            }
        }

        try
        {
            using var client = new TcpClient();
            client.ReceiveTimeout = 3000;
            client.Connect(host, port);
            var banner = new byte[4];
            var read = client.GetStream().ReadAtLeast(banner, banner.Length, throwOnEndOfStream: false);
            if (read < 4 || Encoding.ASCII.GetString(banner) != "SSH-")
            {
                throw new InvalidOperationException($"Something that is not sshd answers on {host}:{port} for {what}. {fix}");
            }
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"{what} is not running on {host}:{port} ({ex.Message}). {fix}", ex);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"{what} on {host}:{port} did not send its banner ({ex.Message}). {fix}", ex);
        }
    }
}
