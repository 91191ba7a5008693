using DeployMind.Application.Build;
using DeployMind.Domain.Build;

namespace DeployMind.Infrastructure.Build;

// PLACEHOLDER — replaced by the real detector.
internal sealed class LanguageDetector : ILanguageDetector
{
    public Task<DetectionResult> DetectAsync(string appPath, CancellationToken cancellationToken) =>
        throw new LanguageNotDetectedException(appPath, ["package.json"]);
}
