using System.Diagnostics;
using System.Net.Sockets;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// "host2", the second Docker host scripts/services/host2.sh starts: a network namespace with its own loopback, its
/// own dockerd (an image store that starts empty) and an sshd reached from here on 127.0.0.1:2223, whose sessions get
/// host2's engine and HOME. Its addresses and files, in one place.
/// </summary>
internal static class Host2
{
    public const string Namespace = "deploymind-host2";
    public const string Directory = "/var/lib/deploymind-test/host2";
    public const string RuntimeDirectory = "/run/deploymind-host2";
    public const string Host = "127.0.0.1";
    public const int Port = 2223;
    public const string User = "root";

    /// <summary>host2's engine, for <c>docker -H</c> and <c>DOCKER_HOST</c> (its SSH sessions have it set).</summary>
    public const string DockerHost = "unix://" + RuntimeDirectory + "/docker.sock";

    /// <summary>HOME in host2's SSH sessions: its ~/.deploymind (nginx prefix, env files) and ~/.docker are its own.</summary>
    public const string Home = "/var/lib/deploymind-host2/home";

    /// <summary>Debian's docker client, the engine's own version (the one first on PATH may be another).</summary>
    public const string DockerClient = "/usr/bin/docker";

    /// <summary>The client key sshd.sh made; host2's sshd accepts it for root too.</summary>
    public static string PrivateKey => SshTestServer.PrivateKey;

    /// <summary>known_hosts with host2's <c>[127.0.0.1]:2223</c> entry.</summary>
    public static string KnownHosts => Path.Combine(Directory, "known_hosts");

    /// <summary>A target for host2, host key checked against <see cref="KnownHosts"/>.</summary>
    public static SshTarget Target => new(User, Host, Port) { PrivateKeyPath = PrivateKey, KnownHostsPath = KnownHosts };

    private const string Fix = "Run `sudo bash scripts/services/host2.sh` (it starts host2: namespace deploymind-host2, its dockerd and its sshd on 127.0.0.1:2223), then run the tests again.";

    public static SshCommandRunner CreateRunner() =>
        new(Target, NullLogger<SshCommandRunner>.Instance, TimeProvider.System);

    /// <summary>Fails with what to do unless host2's sshd answers, its engine's socket and its files are in place.</summary>
    public static void EnsureRunning() =>
        SshTestServer.EnsureAnswering("host2", Host, Port, [PrivateKey, KnownHosts, DockerHost["unix://".Length..], "/run/netns/" + Namespace], Fix);

    /// <summary>The docker CLI against host2's engine: <c>/usr/bin/docker -H unix:///run/deploymind-host2/docker.sock ARGS</c>.</summary>
    public static Task<CommandResult> DockerAsync(params string[] args) => DockerAsync(CommandSpec.Create(DockerClient, ["-H", DockerHost, .. args]));

    /// <summary>The docker CLI against host2's engine with standard input (e.g. <c>login --password-stdin</c>).</summary>
    public static Task<CommandResult> DockerWithInputAsync(string input, params string[] args) =>
        DockerAsync(CommandSpec.Create(DockerClient, ["-H", DockerHost, .. args]) with { StandardInput = input, Secrets = [input] });

    private static async Task<CommandResult> DockerAsync(CommandSpec spec) =>
        await Support.Docker.Runner.RunAsync(spec, null, CancellationToken.None);

    /// <summary>
    /// Makes host2's 127.0.0.1:<paramref name="port"/> reachable from here on 127.0.0.1:<see cref="Host2Forward.LocalPort"/>
    /// (a socat in each namespace, joined by a unix socket) until disposed; e.g. to send load to host2's nginx.
    /// </summary>
    public static async Task<Host2Forward> ForwardAsync(int port, CancellationToken cancellationToken = default)
    {
        var socket = Path.Combine(RuntimeDirectory, $"forward-{port}-{Guid.NewGuid().ToString("N")[..8]}.sock");
        var inside = Start("nsenter", $"--net=/run/netns/{Namespace}", "socat",
            $"UNIX-LISTEN:{socket},fork,unlink-early,mode=600,backlog=256", $"TCP:{Host}:{port}");
        Process? outside = null;
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (!File.Exists(socket))
            {
                ThrowIfExited(inside, "host2's end");
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"host2's end of the forward did not create {socket} within 5s. {Fix}");
                }

                await Task.Delay(20, cancellationToken);
            }

            var localPort = Support.Docker.FreePort();
            outside = Start("socat", $"TCP-LISTEN:{localPort},bind={Host},reuseaddr,fork,backlog=256", $"UNIX-CONNECT:{socket}");
            while (!await AcceptsAsync(localPort, cancellationToken))
            {
                ThrowIfExited(outside, $"this machine's end (127.0.0.1:{localPort})");
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the forward did not listen on 127.0.0.1:{localPort} within 5s.");
                }

                await Task.Delay(20, cancellationToken);
            }

            return new Host2Forward(localPort, port, socket, inside, outside);
        }
        catch
        {
            Host2Forward.Stop(outside);
            Host2Forward.Stop(inside);
            File.Delete(socket);
            throw;
        }
    }

    private static Process Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void ThrowIfExited(Process process, string what)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"socat for {what} of the forward exited with {process.ExitCode}. {Fix}");
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
