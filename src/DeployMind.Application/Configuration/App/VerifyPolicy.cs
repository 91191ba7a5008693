namespace DeployMind.Application.Configuration;

/// <summary>The verify stage's settings, checked.</summary>
/// <param name="Enabled">false: the stage is skipped.</param>
/// <param name="Path">The path that must answer below 400 <paramref name="Successes"/> times in a row.</param>
/// <param name="Successes">Consecutive good answers needed on each host, on every path checked.</param>
/// <param name="Interval">Time between rounds of requests.</param>
/// <param name="Timeout">Time one request may take.</param>
/// <param name="Deadline">How long each host has.</param>
public sealed record VerifyPolicy(bool Enabled, string Path, int Successes, TimeSpan Interval, TimeSpan Timeout, TimeSpan Deadline)
{
    /// <summary>Consecutive bad answers on one path that end the check at once; 0: only the deadline ends it.</summary>
    public int Failures { get; init; } = 3;

    /// <summary>Paths compared with the release that served before the switch (empty: no comparison).</summary>
    public IReadOnlyList<string> Compared { get; init; } = [];
}
