using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Processes;

public sealed class ExecutableLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-locate-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Find_NameInALaterPathDirectory_ReturnsItsFullPath()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_root, "empty")).FullName;
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        var tool = Executable(Path.Combine(bin, "tool"));

        var found = ExecutableLocator.Find("tool", string.Join(Path.PathSeparator, "", empty, bin));

        Assert.Equal(tool, found);
    }

    [Fact]
    public void FindAll_SeveralOnPath_ReturnsEachFileOnceInPathOrder()
    {
        var a = Directory.CreateDirectory(Path.Combine(_root, "a")).FullName;
        var b = Directory.CreateDirectory(Path.Combine(_root, "b")).FullName;
        var c = Directory.CreateDirectory(Path.Combine(_root, "c")).FullName;
        var first = Executable(Path.Combine(a, "docker"));
        var second = Executable(Path.Combine(b, "docker"));
        File.CreateSymbolicLink(Path.Combine(c, "docker"), second); // a link to a file already found

        var found = ExecutableLocator.FindAll("docker", string.Join(Path.PathSeparator, a, b, a, c, Path.Combine(_root, "missing")));

        Assert.Equal([first, second], found);
    }

    [Fact]
    public void Find_NameNowhereOnPath_ReturnsNull()
    {
        Assert.Null(ExecutableLocator.Find("tool", _root));
        Assert.Null(ExecutableLocator.Find("tool", null));
        Assert.Null(ExecutableLocator.Find("tool", string.Empty));
    }

    [Fact]
    public void Find_NonExecutableFileOnPath_IsSkipped()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var first = Directory.CreateDirectory(Path.Combine(_root, "a")).FullName;
        var second = Directory.CreateDirectory(Path.Combine(_root, "b")).FullName;
        File.WriteAllText(Path.Combine(first, "tool"), "not a program");
        var tool = Executable(Path.Combine(second, "tool"));

        Assert.Equal(tool, ExecutableLocator.Find("tool", first + Path.PathSeparator + second));
    }

    [Fact]
    public void Find_ExplicitPath_IsReturnedWhenItExistsWhateverPathSays()
    {
        var tool = Executable(Path.Combine(_root, "tool"));

        Assert.Equal(tool, ExecutableLocator.Find(tool, null));
        Assert.Null(ExecutableLocator.Find(Path.Combine(_root, "missing"), _root));
    }

    [Fact]
    public void Find_ShellOnThisMachine_IsFound()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        Assert.NotNull(ExecutableLocator.Find("sh"));
    }

    private static string Executable(string path)
    {
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
