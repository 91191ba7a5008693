using System.Globalization;
using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

/// <summary>
/// Health requests made on the host itself (apps bind 127.0.0.1 there), with curl through the host's runner: what a
/// remote host's health checks use.
/// </summary>
internal sealed class CommandHttpProbe : IHttpProbe
{
    private readonly ICommandRunner _runner;

    public CommandHttpProbe(ICommandRunner runner)
    {
        _runner = runner;
    }

    public Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken) => GetAsync(url, null, timeout, cancellationToken);

    public async Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(Command(url, timeout, hostName), null, cancellationToken);
        return Interpret(result.ExitCode, result.StandardOutput, timeout);
    }

    public async Task<ProbeResult> GetMarkedAsync(Uri url, string? hostName, KeyValuePair<string, string> marker, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await _runner.RunAsync(Command(url, timeout, hostName, marker).WithSecret(marker.Value), null, cancellationToken);
        return Interpret(result.ExitCode, result.StandardOutput, timeout);
    }

    internal static CommandSpec Command(Uri url, TimeSpan timeout, string? hostName = null, KeyValuePair<string, string>? marker = null) =>
        CommandSpec.Create(
            "curl",
            [
            "--silent", "--output", "/dev/null", "--write-out", "%{http_code}",
            "--max-time", timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture), "--noproxy", "*",
            .. hostName is null ? Array.Empty<string>() : ["--header", $"Host: {hostName}:{url.Port.ToString(CultureInfo.InvariantCulture)}"],
            .. marker is { } header ? ["--header", $"{header.Key}: {header.Value}"] : Array.Empty<string>(),
            url.ToString(),
            ]);

    /// <summary>curl's exit code and printed status → a probe result (7: refused, 28: timeout).</summary>
    internal static ProbeResult Interpret(int exitCode, string output, TimeSpan timeout)
    {
        if (exitCode == 7)
        {
            return new ProbeResult(null, "connection refused (nothing listens on that port yet)") { Refused = true };
        }

        if (exitCode == 28)
        {
            return new ProbeResult(null, $"no answer within {timeout.TotalSeconds:0.#}s");
        }

        if (exitCode == 127)
        {
            return new ProbeResult(null, "curl is not installed on the host");
        }

        if (!int.TryParse(output.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status) || status == 0)
        {
            return new ProbeResult(null, $"curl failed with exit code {exitCode}");
        }

        return status < 400 ? new ProbeResult(status, null) : new ProbeResult(status, $"status {status}");
    }
}
