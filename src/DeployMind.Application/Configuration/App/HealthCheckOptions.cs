using DeployMind.Domain;
using DeployMind.Domain.Deploy;

namespace DeployMind.Application.Configuration;

/// <summary><c>healthCheck:</c>.</summary>
public sealed class HealthCheckOptions
{
    public string Path { get; set; } = "/health";

    public string Interval { get; set; } = "2s";

    public string Timeout { get; set; } = "2s";

    public int Successes { get; set; } = 3;

    public string Deadline { get; set; } = "60s";

    public HealthPolicy ToPolicy(string key)
    {
        try
        {
            return new(Path, Duration.Parse(Interval, key + ".interval"), Duration.Parse(Timeout, key + ".timeout"), Successes, Duration.Parse(Deadline, key + ".deadline"));
        }
        catch (InvalidInputException ex) when (ex.Message.StartsWith("healthCheck.", StringComparison.Ordinal))
        {
            // The policy names its keys relative to healthCheck; say where they are.
            throw new InvalidInputException(key + ex.Message["healthCheck".Length..], ex);
        }
    }
}
