using System.Diagnostics;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A forward from this machine's 127.0.0.1:<see cref="LocalPort"/> to host2's 127.0.0.1:<see cref="RemotePort"/>,
/// made by <see cref="Host2.ForwardAsync"/>; disposing it stops both socat processes (and their connections).
/// </summary>
internal sealed class Host2Forward : IAsyncDisposable
{
    private readonly string _socket;
    private readonly Process _inside;
    private readonly Process _outside;

    internal Host2Forward(int localPort, int remotePort, string socket, Process inside, Process outside)
    {
        LocalPort = localPort;
        RemotePort = remotePort;
        _socket = socket;
        _inside = inside;
        _outside = outside;
    }

    /// <summary>The port on this machine's 127.0.0.1 that reaches host2.</summary>
    public int LocalPort { get; }

    /// <summary>The port on host2's 127.0.0.1.</summary>
    public int RemotePort { get; }

    /// <summary><c>http://127.0.0.1:LocalPort</c>.</summary>
    public Uri BaseAddress => new($"http://{Host2.Host}:{LocalPort}/");

    public async ValueTask DisposeAsync()
    {
        Stop(_outside);
        Stop(_inside);
        await Task.WhenAll(_outside.WaitForExitAsync(), _inside.WaitForExitAsync());
        _outside.Dispose();
        _inside.Dispose();
        File.Delete(_socket);
    }

    /// <summary>Kills a socat with the children it forked for open connections.</summary>
    internal static void Stop(Process? process)
    {
        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited already.
        }
    }
}
