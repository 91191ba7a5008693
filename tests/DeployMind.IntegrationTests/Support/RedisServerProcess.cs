using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A redis-server of the test's own, a child process on a free loopback port with an append-only file (fsync on every
/// write) in <see cref="DataDirectory"/>: it can be killed and started again on the same port with its data. Only this
/// child is ever stopped, by its own process handle.
/// </summary>
internal sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly TempFolder _folder = new();
    private Process? _process;

    private RedisServerProcess(int port)
    {
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public string DataDirectory => _folder.Path;

    public static async Task<RedisServerProcess> StartAsync()
    {
        var server = new RedisServerProcess(FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again), on the same port and data, and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("The test redis-server is already running.");
        }

        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--protected-mode", "yes",
            "--daemonize", "no", "--save", string.Empty, "--appendonly", "yes", "--appendfsync", "always",
            "--dir", DataDirectory, "--logfile", Path.Combine(DataDirectory, "redis.log"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await AnswersAsync())
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = Path.Combine(DataDirectory, "redis.log");
                throw new InvalidOperationException($"The test redis-server on {Address} did not answer PING: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log")}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (SIGKILL, no shutdown save: the append-only file is all it keeps) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _folder.Dispose();
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
