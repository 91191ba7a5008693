namespace DeployMind.Application.Deploy.Hosts;

/// <summary>One HTTP health request.</summary>
public interface IHttpProbe
{
    /// <summary>GETs <paramref name="url"/>; never throws for HTTP or network failures (they are in the result).</summary>
    Task<ProbeResult> GetAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// GET <paramref name="url"/> as the site <paramref name="hostName"/> (the Host header): what reaches one app among
    /// several that share an nginx port by server name (preview environments). Null: the URL's own host.
    /// </summary>
    Task<ProbeResult> GetAsync(Uri url, string? hostName, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What one probe saw.</summary>
/// <param name="StatusCode">The HTTP status, or null when no answer came.</param>
/// <param name="Error">The failure ("connection refused", "timed out after 2s", "status 503"), or null when healthy.</param>
public sealed record ProbeResult(int? StatusCode, string? Error)
{
    public bool Healthy => Error is null;

    /// <summary>The connection was refused: nothing listens on that address and port (yet).</summary>
    public bool Refused { get; init; }
}
