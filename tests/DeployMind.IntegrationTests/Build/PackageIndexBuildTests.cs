using DeployMind.Application.Build;
using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Build;

/// <summary>A real pip install on the real engine with no network: the failure says once that pip could not reach its index.</summary>
public sealed class PackageIndexBuildTests : IDisposable
{
    private readonly BuildHost _host = new();

    [Fact]
    public async Task Build_PipWithoutANetwork_FailsWithOneLineNamingTheIndexAndTheMirror()
    {
        using var source = new TempFolder();
        source.Write("requirements.txt", "flask==3.0.0\n");
        source.Write("Dockerfile", "FROM deploymind-base/python:3.11\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\n");
        var tag = "dm-it-no-index:test";

        // --network none: no route out whatever the machine has, so pip's retries and failure are the real ones.
        var request = new ImageBuildRequest(source.Path, Path.Combine(source.Path, "Dockerfile"), tag) { Network = "none" };
        var result = await _host.Get<IImageBuilder>().BuildAsync(request, null, CancellationToken.None);

        Assert.False(result.Success);
        var lines = result.Error!.Split('\n');
        Assert.Matches(@"^Build failed at step \d+/\d+ `RUN pip install", lines[0]);
        Assert.StartsWith("pip could not reach its package index (pypi.org: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("PIP_INDEX_URL", lines[1], StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("could not reach", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.Contains("Retrying", StringComparison.Ordinal)) <= 1, result.Error);
        Assert.Equal(1, (await Docker.RunAsync("image", "inspect", tag)).ExitCode);
    }

    public void Dispose() => _host.Dispose();
}
