namespace DeployMind.Server.Api;

/// <summary>
/// The answer to <c>POST /api/deployments/{id}/cancel</c>: a queued deployment is cancelled at once (200,
/// <see cref="CancelRequested"/> false); a running one is asked to stop (202, true) and its worker stops it at its next step.
/// </summary>
internal sealed record CancelAnswer(Guid Id, string State, bool CancelRequested, string Detail);
