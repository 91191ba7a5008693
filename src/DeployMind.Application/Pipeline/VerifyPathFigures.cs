namespace DeployMind.Application.Pipeline;

/// <summary>How one path answered through nginx on one host during verify.</summary>
/// <param name="Path">The path asked ("/health", "/").</param>
/// <param name="Strict">The verify path (must answer below 400); else a compared path (below 500, as on the previous release).</param>
/// <param name="Passed">Good answers in a row at the end.</param>
/// <param name="FailedInARow">Bad answers in a row at the end.</param>
/// <param name="Last">The last bad answer ("status 500", a connection error), or "no answer yet" when none was bad.</param>
/// <param name="Previous">What the previous release answered there before the switch ("200"), or null when it was not compared.</param>
internal sealed record VerifyPathFigures(string Path, bool Strict, int Passed, int FailedInARow, string Last, string? Previous);
