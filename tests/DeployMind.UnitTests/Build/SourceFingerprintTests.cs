using DeployMind.Application.Build;

namespace DeployMind.UnitTests.Build;

public sealed class SourceFingerprintTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("dm-fp-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public async Task ComputeAsync_SameSources_SameTag_EditChangesIt()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "app.py"), "print(1)\n");
        var first = await SourceFingerprint.ComputeAsync(_dir.FullName, null, CancellationToken.None);
        var again = await SourceFingerprint.ComputeAsync(_dir.FullName, null, CancellationToken.None);
        File.WriteAllText(Path.Combine(_dir.FullName, "app.py"), "print(2)\n");
        var edited = await SourceFingerprint.ComputeAsync(_dir.FullName, null, CancellationToken.None);

        Assert.Equal(first, again);
        Assert.NotEqual(first, edited);
        Assert.Matches("^[0-9a-f]{12}$", first);
    }

    [Fact]
    public async Task ComputeAsync_DependencyFoldersAndGeneratedDockerfile_AreHandled()
    {
        File.WriteAllText(Path.Combine(_dir.FullName, "index.js"), "1");
        var before = await SourceFingerprint.ComputeAsync(_dir.FullName, null, CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(_dir.FullName, "node_modules", "x"));
        File.WriteAllText(Path.Combine(_dir.FullName, "node_modules", "x", "index.js"), "2");
        var withModules = await SourceFingerprint.ComputeAsync(_dir.FullName, null, CancellationToken.None);
        var otherDockerfile = await SourceFingerprint.ComputeAsync(_dir.FullName, "FROM a:1\n", CancellationToken.None);

        Assert.Equal(before, withModules);
        Assert.NotEqual(before, otherDockerfile);
    }

    [Theory]
    [InlineData("Shop API", "shop-api")]
    [InlineData("node-express", "node-express")]
    [InlineData("__", "app")]
    [InlineData("My_App.v2", "my_app.v2")]
    public void Repository_FolderName_BecomesValidRepository(string folder, string expected)
    {
        Assert.Equal(expected, ImageNames.Repository(folder));
        Assert.Equal(expected + ":1", ImageNames.Validate(expected + ":1"));
    }
}
