namespace DeployMind.IntegrationTests.Support;

/// <summary>Paths inside the repository checkout.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Example(string name) => Path.Combine(Root, "examples", name);

    /// <summary>The configuration that maps base images to the locally built ones (see scripts/base-images).</summary>
    public static string LocalBaseImagesConfig => Path.Combine(Root, "scripts", "base-images", "local.yml");

    /// <summary>Copies a folder into a fresh temp folder (tests never modify the repository).</summary>
    public static TempFolder CopyOf(string source)
    {
        var target = new TempFolder();
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Contains("node_modules"))
            {
                continue;
            }

            var destination = Path.Combine(target.Path, relative);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }

        return target;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DeployMind.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Could not find the repository root (DeployMind.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temp folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        // A lower-case, docker-friendly name: the folder name becomes the default image repository.
        Path = Directory.CreateTempSubdirectory("dm-it-").FullName;
    }

    public string Path { get; }

    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Files written by containers as another user may linger in /tmp; harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
