namespace DeployMind.Domain.Deploy;

/// <summary>How a new release proves it is healthy: HTTP GET on <see cref="Path"/> until <see cref="Successes"/>
/// consecutive answers below 400 arrive, one check every <see cref="Interval"/>, each within <see cref="Timeout"/>,
/// all within <see cref="Deadline"/>.</summary>
public sealed record HealthPolicy
{
    public HealthPolicy(string path, TimeSpan interval, TimeSpan timeout, int successes, TimeSpan deadline)
    {
        if (string.IsNullOrWhiteSpace(path) || !path.StartsWith('/'))
        {
            throw new InvalidInputException($"healthCheck.path '{path}' must start with '/', e.g. /health.");
        }

        if (interval <= TimeSpan.Zero || timeout <= TimeSpan.Zero || deadline <= TimeSpan.Zero)
        {
            throw new InvalidInputException("healthCheck.interval, timeout and deadline must be positive durations (e.g. 2s, 60s).");
        }

        if (successes < 1)
        {
            throw new InvalidInputException($"healthCheck.successes must be at least 1 (was {successes}).");
        }

        if (deadline < interval * successes)
        {
            throw new InvalidInputException($"healthCheck.deadline {deadline.TotalSeconds}s is shorter than {successes} checks every {interval.TotalSeconds}s; raise the deadline or lower successes.");
        }

        (Path, Interval, Timeout, Successes, Deadline) = (path, interval, timeout, successes, deadline);
    }

    /// <summary>The defaults: /health, every 2 s, 2 s timeout, 3 in a row, within 60 s.</summary>
    public static HealthPolicy Default { get; } = new("/health", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(60));

    public string Path { get; }

    public TimeSpan Interval { get; }

    public TimeSpan Timeout { get; }

    public int Successes { get; }

    public TimeSpan Deadline { get; }
}
