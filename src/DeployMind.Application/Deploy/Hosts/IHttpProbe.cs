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

    /// <summary>
    /// GET <paramref name="url"/> as synthetic traffic with the header <paramref name="marker"/> (name, value), by which the
    /// router counts it apart from users' requests (canary probe traffic). A probe that cannot send the header must not
    /// send the request: unmarked, it would be counted as a user's.
    /// </summary>
    Task<ProbeResult> GetMarkedAsync(Uri url, string? hostName, KeyValuePair<string, string> marker, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This HTTP probe cannot mark its requests, so it cannot send canary probe traffic.");
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
