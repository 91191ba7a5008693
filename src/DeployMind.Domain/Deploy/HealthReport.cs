namespace DeployMind.Domain.Deploy;

/// <summary>The outcome of waiting for a release to become healthy.</summary>
/// <param name="Healthy">The required consecutive successes arrived within the deadline.</param>
/// <param name="ConsecutivePassed">Consecutive successful checks at the end.</param>
/// <param name="Required">Consecutive successes required.</param>
/// <param name="Attempts">Checks made.</param>
/// <param name="Elapsed">Time spent.</param>
/// <param name="Failure">Why it is not healthy (last error, the container's exit and its last log lines), or null.</param>
public sealed record HealthReport(bool Healthy, int ConsecutivePassed, int Required, int Attempts, TimeSpan Elapsed, string? Failure)
{
    /// <summary>"3/3 checks passed".</summary>
    public string Summary => $"{ConsecutivePassed}/{Required} checks passed";
}
