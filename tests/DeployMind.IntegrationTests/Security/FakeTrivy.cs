using System.Globalization;
using System.Text;

namespace DeployMind.IntegrationTests.Security;

/// <summary>
/// A stand-in <c>trivy</c> executable: a <c>#!/bin/sh</c> script in a temp folder that answers <c>--version</c>
/// and then does what the test needs (print a report, fail, hang). It writes the arguments it got to
/// <see cref="ArgumentsFile"/> and its PID to <see cref="PidFile"/>.
/// </summary>
internal sealed class FakeTrivy : IDisposable
{
    private FakeTrivy(string folder, string path)
    {
        Folder = folder;
        Path = path;
    }

    /// <summary>The script's full path (for <c>security.trivy.path</c>).</summary>
    public string Path { get; }

    public string Folder { get; }

    public string ArgumentsFile => System.IO.Path.Combine(Folder, "args.txt");

    public string PidFile => System.IO.Path.Combine(Folder, "pid.txt");

    /// <summary>The arguments of the scan (not of <c>--version</c>), one per element.</summary>
    public IReadOnlyList<string> ScanArguments =>
        File.Exists(ArgumentsFile) ? File.ReadAllText(ArgumentsFile).TrimEnd('\n').Split('\n') : [];

    public int? Pid =>
        File.Exists(PidFile) ? int.Parse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture) : null;

    /// <summary>Prints <paramref name="report"/> on standard output and exits with <paramref name="exitCode"/>.</summary>
    public static FakeTrivy Printing(string report, int exitCode = 0) =>
        Create(folder =>
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "report.json"), report);
            return $"cat \"$dir/report.json\"\nexit {exitCode.ToString(CultureInfo.InvariantCulture)}";
        });

    /// <summary>Writes <paramref name="stderr"/> (lines) on standard error and exits with <paramref name="exitCode"/>.</summary>
    public static FakeTrivy Failing(int exitCode, params string[] stderr) =>
        Create(folder =>
        {
            File.WriteAllText(System.IO.Path.Combine(folder, "stderr.txt"), string.Join('\n', stderr) + "\n");
            return $"cat \"$dir/stderr.txt\" >&2\nexit {exitCode.ToString(CultureInfo.InvariantCulture)}";
        });

    /// <summary>Never finishes on its own (the scan becomes <c>sleep</c>, same PID).</summary>
    public static FakeTrivy Hanging() => Create(_ => "exec sleep 300");

    /// <summary>Like <see cref="Printing"/>, but <c>--version</c> fails.</summary>
    public static FakeTrivy WithoutVersion(string report) =>
        Create(
            folder =>
            {
                File.WriteAllText(System.IO.Path.Combine(folder, "report.json"), report);
                return "cat \"$dir/report.json\"";
            },
            version: "echo 'unknown flag: --version' >&2; exit 1");

    /// <summary>A file named trivy that is not executable.</summary>
    public static FakeTrivy NotExecutable()
    {
        var folder = Directory.CreateTempSubdirectory("dm-trivy-").FullName;
        var path = System.IO.Path.Combine(folder, "trivy");
        File.WriteAllText(path, "#!/bin/sh\nexit 0\n");
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new FakeTrivy(folder, path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }

    private static FakeTrivy Create(Func<string, string> scan, string version = "printf 'Version: 0.50.1\\n\\nVulnerability DB:\\n  Version: 2\\n'; exit 0")
    {
        var folder = Directory.CreateTempSubdirectory("dm-trivy-").FullName;
        var path = System.IO.Path.Combine(folder, "trivy");
        var script = new StringBuilder()
            .Append("#!/bin/sh\n")
            .Append("dir=$(dirname \"$0\")\n")
            .Append("if [ \"$1\" = \"--version\" ]; then ").Append(version).Append("; fi\n")
            .Append("printf '%s\\n' \"$@\" > \"$dir/args.txt\"\n")
            .Append("echo $$ > \"$dir/pid.txt\"\n")
            .Append(scan(folder)).Append('\n')
            .ToString();
        File.WriteAllText(path, script);
        SetMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new FakeTrivy(folder, path);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        // These scripts are POSIX shell: the tests run where sh does.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
