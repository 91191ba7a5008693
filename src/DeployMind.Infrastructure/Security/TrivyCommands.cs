using System.Globalization;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Security;

/// <summary>Builds trivy commands as data (no execution here).</summary>
internal static class TrivyCommands
{
    // Trivy stops itself after its own --timeout (default 5m). It gets a little longer than DeployMind's
    // deadline, so a longer security.trivy.timeout is not cut short and a slow scan ends with our clear message.
    private static readonly TimeSpan TimeoutMargin = TimeSpan.FromSeconds(30);

    /// <summary><c>trivy --version</c>; the first line reads "Version: 0.50.1".</summary>
    public static CommandSpec Version(string program) => CommandSpec.Create(program, "--version");

    /// <summary>
    /// <c>trivy image --format json --quiet --scanners &lt;scanners&gt; --timeout &lt;n&gt;s &lt;extra args&gt; &lt;image&gt;</c>:
    /// the JSON report (SchemaVersion 2) on standard output, no progress bar or log lines, errors on standard error.
    /// </summary>
    public static CommandSpec ScanImage(string program, string image, TrivyOptions options, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        ArgumentNullException.ThrowIfNull(options);
        var seconds = (long)Math.Ceiling((timeout + TimeoutMargin).TotalSeconds);
        List<string> args =
        [
            "image", "--format", "json", "--quiet",
            "--scanners", string.Join(',', options.ScannerList),
            "--timeout", seconds.ToString(CultureInfo.InvariantCulture) + "s",
            .. options.ExtraArgs,
            image,
        ];
        return new CommandSpec(program, args);
    }
}
