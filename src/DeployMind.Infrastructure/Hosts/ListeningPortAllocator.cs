using System.Globalization;
using System.Security.Cryptography;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>
/// Picks container ports on a host: random in [<see cref="First"/>, <see cref="Last"/>], skipping what the host
/// reports as listening (<c>ss -Htln</c>, run through the host's runner) and what the app's containers were given.
/// </summary>
internal sealed class ListeningPortAllocator : IPortAllocator
{
    public const int First = 20000;
    public const int Last = 32767;

    private readonly ICommandRunner _runner;

    public ListeningPortAllocator(ICommandRunner runner)
    {
        _runner = runner;
    }

    public async Task<int> AllocateAsync(IReadOnlySet<int> taken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var result = await _runner.RunAsync(CommandSpec.Create("ss", "-Htln"), null, cancellationToken);
        if (!result.Succeeded)
        {
            throw new DeployMindException($"Could not list listening ports on {_runner.Name} (`ss -Htln` exited {result.ExitCode}): {result.StandardError.Trim()}. Is iproute2 installed?");
        }

        var listening = ParseListening(result.StandardOutput);
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
