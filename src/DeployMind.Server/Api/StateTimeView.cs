namespace DeployMind.Server.Api;

/// <summary>How long a deployment spent in a state.</summary>
internal sealed record StateTimeView(string State, double Seconds);
