using System.Text;

namespace DeployMind.IntegrationTests.Support;

/// <summary>Reading what a run left on disk.</summary>
internal static class Files
{
    /// <summary>Every file under a folder as text, read while others may still write it (the records database with its -wal and -shm files, nginx's files and logs).</summary>
    public static async Task<string> ReadAllAsync(string folder)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            text.Append(Encoding.UTF8.GetString(copy.ToArray())).Append('\n');
        }

        return text.ToString();
    }
}
