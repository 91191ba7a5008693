using System.Globalization;
using System.Security.Cryptography;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>
/// Picks container ports on a host: random in [<see cref="First"/>, <see cref="Last"/>], skipping what the host
/// reports as listening (<c>ss -Htln</c>, run through the host's runner; on this machine the kernel's own table, which
/// is what ss reads, without starting it) and what the app's containers were given.
/// </summary>
internal sealed class ListeningPortAllocator : IPortAllocator
{
    public const int First = 20000;
    public const int Last = 32767;

    /// <summary>The kernel's TCP socket tables of this process's network namespace (IPv4, IPv6).</summary>
    private static readonly string[] KernelTables = ["/proc/net/tcp", "/proc/net/tcp6"];

    private readonly ICommandRunner _runner;
    private readonly bool _readKernel;

    /// <param name="runner">The host's runner.</param>
    /// <param name="local">
    /// The runner runs on this machine, in this process's network namespace: the kernel's tables are read directly when
    /// there are any (Linux).
    /// </param>
    public ListeningPortAllocator(ICommandRunner runner, bool local = false)
    {
        _runner = runner;
        _readKernel = local && OperatingSystem.IsLinux() && File.Exists(KernelTables[0]);
    }

    public async Task<int> AllocateAsync(IReadOnlySet<int> taken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var listening = _readKernel ? await ReadKernelAsync(cancellationToken) : await RunSsAsync(cancellationToken);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = RandomNumberGenerator.GetInt32(First, Last + 1);
            if (!listening.Contains(port) && !taken.Contains(port))
            {
                return port;
            }
        }

        throw new DeployMindException($"No free port between {First} and {Last} on {_runner.Name}.");
    }

    private async Task<HashSet<int>> RunSsAsync(CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(CommandSpec.Create("ss", "-Htln"), null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"Could not list listening ports on {_runner.Name} (`ss -Htln` exited {result.ExitCode}): {result.StandardError.Trim()}. Is iproute2 installed?");
        }

        return ParseListening(result.StandardOutput);
    }

    private static async Task<HashSet<int>> ReadKernelAsync(CancellationToken cancellationToken)
    {
        var ports = new HashSet<int>();
        foreach (var table in KernelTables)
        {
            // tcp6 is absent where IPv6 is off.
            if (File.Exists(table))
            {
                ports.UnionWith(ParseKernelTable(await File.ReadAllTextAsync(table, cancellationToken)));
            }
        }

        return ports;
    }

    /// <summary>
    /// The local ports of the listening sockets (state 0A) in a <c>/proc/net/tcp</c> or <c>tcp6</c> table
    /// ("0: 0100007F:1F90 00000000:0000 0A …": the port in hexadecimal after the address).
    /// </summary>
    internal static HashSet<int> ParseKernelTable(string table)
    {
        var ports = new HashSet<int>();
        foreach (var line in table.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || fields[3] != "0A")
            {
                continue;
            }

            var colon = fields[1].LastIndexOf(':');
            if (colon >= 0 && int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }

    /// <summary>Ports from <c>ss -Htln</c> lines ("LISTEN 0 511 127.0.0.1:8080 0.0.0.0:*", "[::]:22").</summary>
    internal static HashSet<int> ParseListening(string output)
    {
        var ports = new HashSet<int>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4)
            {
                continue;
            }

            var local = fields[3];
            var colon = local.LastIndexOf(':');
            if (colon >= 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var port))
            {
                ports.Add(port);
            }
        }

        return ports;
    }
}
