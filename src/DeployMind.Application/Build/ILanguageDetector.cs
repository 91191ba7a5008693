using DeployMind.Domain.Build;

namespace DeployMind.Application.Build;

/// <summary>Recognises the language, framework and start command of an application folder.</summary>
public interface ILanguageDetector
{
    /// <summary>Inspects <paramref name="appPath"/> (an app folder, possibly inside a monorepo).</summary>
    /// <exception cref="LanguageNotDetectedException">Nothing recognisable was found; the message says what was looked for.</exception>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    Task<DetectionResult> DetectAsync(string appPath, CancellationToken cancellationToken);
}
