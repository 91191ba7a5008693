namespace DeployMind.Server.Api;

/// <summary>How the event stream (<c>GET /api/deployments/{id}/events</c>) polls the records and keeps the connection alive.</summary>
internal sealed class EventStreamSettings
{
    /// <summary>How often the deployment and its log are read for news.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A comment is sent after this long without an event, so proxies keep the connection open.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);
}
