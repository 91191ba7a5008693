namespace DeployMind.Application.Records;

/// <summary>How long a deployment spent in a state.</summary>
public sealed record StateTimeView(string State, double Seconds);
