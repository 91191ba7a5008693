namespace DeployMind.Application.Pipeline;

/// <summary>How one host's nginx answered during verify.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="Paths">Each path asked, the verify path first.</param>
/// <param name="Problem">Why the host failed verify ("http://127.0.0.1:8080/ through nginx on web-1: status 500, 3 times in a row"), or null when it passed.</param>
internal sealed record VerifyHostFigures(string Host, IReadOnlyList<VerifyPathFigures> Paths, string? Problem);
