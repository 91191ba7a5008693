using DeployMind.Application.Security;
using DeployMind.Infrastructure.Security;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Security;

/// <summary>A throw-away source tree under the temp directory; deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Root = Path.Combine(Path.GetTempPath(), "deploymind-scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="relativePath"/> ('/'-separated), creating folders.</summary>
    public TempTree Write(string relativePath, string content)
    {
        var path = Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return this;
    }

    public TempTree WriteBytes(string relativePath, byte[] content)
    {
        var path = Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return this;
    }

    public Task<SecretScanReport> ScanSecretsAsync(SecretScanOptions? options = null) =>
        new SecretScanner(Options.Create(options ?? new SecretScanOptions()), TimeProvider.System).ScanAsync(Root, CancellationToken.None);

    public Task<SecretScanReport> ScanConfigAsync() =>
        new RiskyConfigScanner(Options.Create(new SecretScanOptions()), TimeProvider.System).ScanAsync(Root, CancellationToken.None);

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
