using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Build;

namespace DeployMind.UnitTests.Build;

/// <summary>A throw-away application folder under the temp directory; deleted on dispose.</summary>
internal sealed class TempAppFolder : IDisposable
{
    public TempAppFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "deploymind-detector-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="relativePath"/> ('/'-separated), creating folders.</summary>
    public TempAppFolder Write(string relativePath, string content = "")
    {
        var path = PathOf(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public TempAppFolder CreateDirectory(string relativePath)
    {
        Directory.CreateDirectory(PathOf(relativePath));
        return this;
    }

    public string PathOf(string relativePath) => Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Runs the real detector on the folder (or one of its sub-folders).</summary>
    public Task<DetectionResult> DetectAsync(string? subFolder = null) =>
        new LanguageDetector().DetectAsync(subFolder is null ? Root : PathOf(subFolder), CancellationToken.None);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
