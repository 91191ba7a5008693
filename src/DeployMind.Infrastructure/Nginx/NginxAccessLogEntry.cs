namespace DeployMind.Infrastructure.Nginx;

/// <summary>One request from an app's JSON access log.</summary>
/// <param name="Time">When the request ended (<c>$msec</c>, millisecond precision).</param>
/// <param name="UpstreamAddress">The last upstream server that handled it (after retries); null when none was contacted.</param>
/// <param name="Status">The status sent to the client.</param>
/// <param name="UpstreamResponseMilliseconds">The last upstream's response time in ms; null when unknown.</param>
internal sealed record NginxAccessLogEntry(DateTimeOffset Time, string? UpstreamAddress, int Status, double? UpstreamResponseMilliseconds);
