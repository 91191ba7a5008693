using DeployMind.Domain;

namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>verify:</c> after the new release serves all traffic, the app is requested through nginx on every host, as
/// users reach it; if it does not answer well, the hosts go back to the previous release, which kept running.
/// </summary>
public sealed class VerifyOptions
{
    /// <summary>false skips the stage.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path requested through nginx (default: the health check's path).</summary>
    public string? Path { get; set; }

    /// <summary>Consecutive good answers needed on each host.</summary>
    public int Successes { get; set; } = 3;

    /// <summary>Consecutive bad answers on one path that end verify at once (0: only the deadline does).</summary>
    public int Failures { get; set; } = 3;

    /// <summary>
    /// Compare with the release that served before: <c>/</c>, the health path and the verify path are asked of it before
    /// the switch, and a path that answered below 500 there must not answer 5xx on the new release.
    /// </summary>
    public bool Compare { get; set; } = true;

    public string Interval { get; set; } = "1s";

    public string Timeout { get; set; } = "2s";

    /// <summary>How long each host has to give its good answers.</summary>
    public string Deadline { get; set; } = "30s";

    /// <summary>The checked settings.</summary>
    /// <exception cref="InvalidInputException">A setting is invalid; the message names its key.</exception>
    public VerifyPolicy ToPolicy(string key, string healthPath)
    {
        var path = string.IsNullOrWhiteSpace(Path) ? healthPath : Path.Trim();
        if (!path.StartsWith('/'))
        {
            throw new InvalidInputException($"{key}.path: '{path}' must start with '/'.");
        }

        if (Successes is < 1 or > 100)
        {
            throw new InvalidInputException($"{key}.successes: {Successes} is out of range; use 1 to 100.");
        }

        if (Failures is < 0 or > 100)
        {
            throw new InvalidInputException($"{key}.failures: {Failures} is out of range; use 1 to 100, or 0 to wait for the deadline.");
        }

        IReadOnlyList<string> compared = Compare ? [.. new[] { "/", healthPath, path }.Distinct(StringComparer.Ordinal)] : [];
        return new VerifyPolicy(
            Enabled, path, Successes, Duration.Parse(Interval, key + ".interval"), Duration.Parse(Timeout, key + ".timeout"), Duration.Parse(Deadline, key + ".deadline"))
        {
            Failures = Failures,
            Compared = compared,
        };
    }
}
