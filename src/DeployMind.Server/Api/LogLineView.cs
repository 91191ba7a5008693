namespace DeployMind.Server.Api;

/// <summary>A log line as the event stream sends it (<c>event: log</c>).</summary>
internal sealed record LogLineView(long Sequence, DateTimeOffset At, string Stage, string Text);
