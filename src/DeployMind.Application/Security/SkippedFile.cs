namespace DeployMind.Application.Security;

/// <summary>A file or folder the scan left out.</summary>
/// <param name="Path">Relative, '/'-separated; folders end with '/'.</param>
/// <param name="Reason">Why.</param>
public sealed record SkippedFile(string Path, SkipReason Reason);
