using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build.Detection;

/// <summary>The port <see cref="PortFinder"/> settled on, where it came from, and the evidence lines that say so.</summary>
/// <param name="Port">The port the app listens on.</param>
/// <param name="Source">Where it came from; <see cref="PortSource.Default"/> when it is only the framework's default.</param>
/// <param name="Location">The file and line that gave it, or null.</param>
/// <param name="Evidence">The port's lines for <see cref="DetectionResult.Evidence"/>: the one that decided, then any other literal found.</param>
internal sealed record PortDecision(int Port, PortSource Source, string? Location, IReadOnlyList<string> Evidence);
