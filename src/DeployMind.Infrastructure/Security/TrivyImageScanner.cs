using DeployMind.Application.Security;
using DeployMind.Domain;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Scans a built image with the Trivy CLI through an <see cref="ICommandRunner"/>: <c>trivy image --format json</c>,
/// parsed by <see cref="TrivyReportParser"/>. Trivy missing, disabled, failing, unreadable or too slow gives a
/// skipped report with the reason (failures start with "trivy failed:"), never an empty clean one.
/// </summary>
internal sealed partial class TrivyImageScanner : IImageScanner
{
    private const string Name = "trivy";
    private const int StderrTailLines = 3;
    private const int MaxStderrLineLength = 300;

    private readonly ICommandRunner _runner;
    private readonly TrivyOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TrivyImageScanner> _logger;
    private string? _scanner;

    public TrivyImageScanner(ICommandRunner runner, IOptions<TrivyOptions> options, TimeProvider time, ILogger<TrivyImageScanner> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _runner = runner;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async Task<ImageScanReport> ScanAsync(string image, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        if (image.StartsWith('-'))
        {
            throw new ArgumentException($"'{image}' is not an image reference.", nameof(image));
        }

        var started = _time.GetTimestamp();
        if (!_options.Enabled)
        {
            return Skip(image, Name, "security.trivy.enabled is false", started);
        }

        var program = ExecutableLocator.Find(_options.Path);
        if (program is null)
        {
            return Skip(image, Name, NotFound(_options.Path), started);
        }

        var timeout = Duration.Parse(_options.Timeout, "security.trivy.timeout");
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var scanner = Name;
        CommandResult result;
        try
        {
            scanner = await DescribeAsync(program, linked.Token).ConfigureAwait(false);
            var command = TrivyCommands.ScanImage(program, image, _options, timeout);
            LogScanning(image, command);
            result = await _runner.RunAsync(command, null, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Skip(image, scanner, $"trivy failed: did not finish within {Duration.Format(timeout)} (security.trivy.timeout)", started);
        }
        catch (CommandStartException ex)
        {
            return Skip(image, scanner, $"trivy failed: could not start {program}: {ex.InnerException?.Message ?? ex.Message}", started);
        }

        IReadOnlyList<SecurityFinding> findings;
        try
        {
            findings = TrivyReportParser.Parse(result.StandardOutput);
        }
        catch (FormatException ex)
        {
            // A non-zero exit with a complete report is Trivy's --exit-code at work; anything else is a failure.
            return Skip(image, scanner, result.Succeeded ? $"trivy failed: unreadable output ({ex.Message})" : Failure(result), started);
        }

        var elapsed = _time.GetElapsedTime(started);
        LogScanned(image, findings.Count, elapsed.TotalSeconds, scanner);
        return new ImageScanReport(scanner, false, null, findings, elapsed);
    }

    /// <summary>The version from <c>trivy --version</c>'s first line ("Version: 0.50.1"), or null.</summary>
    internal static string? ParseVersion(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var first = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        const string Prefix = "Version:";
        if (first is null || !first.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var version = first[Prefix.Length..].Trim();
        return version.Length is > 0 and <= 64 && !version.Any(char.IsWhiteSpace) ? version : null;
    }

    /// <summary>"trivy failed: exit code 1: &lt;the last lines of standard error&gt;".</summary>
    internal static string Failure(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var tail = AnsiText.Strip(result.StandardError)
            .Split('\n')
            .Select(line => TrivyReportParser.Clean(line, MaxStderrLineLength))
            .Where(line => line.Length > 0)
            .TakeLast(StderrTailLines)
            .ToList();
        return tail.Count == 0
            ? $"trivy failed: exit code {result.ExitCode} with no error output"
            : $"trivy failed: exit code {result.ExitCode}: {string.Join(" | ", tail)}";
    }

    private static string NotFound(string path) =>
        path.Contains('/', StringComparison.Ordinal) || path.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? $"trivy was not found at {path} (security.trivy.path); install it to scan images for known vulnerabilities"
            : path == Name
                ? "trivy is not on PATH; install it to scan images for known vulnerabilities"
                : $"{path} (security.trivy.path) is not on PATH; install trivy to scan images for known vulnerabilities";

    /// <summary>"trivy 0.50.1" from <c>trivy --version</c>, asked once; "trivy" when it cannot be told.</summary>
    private async Task<string> DescribeAsync(string program, CancellationToken cancellationToken)
    {
        if (_scanner is { } known)
        {
            return known;
        }

        try
        {
            var result = await _runner.RunAsync(TrivyCommands.Version(program), null, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded && ParseVersion(result.StandardOutput) is { } version)
            {
                return _scanner = $"{Name} {version}";
            }
        }
        catch (CommandStartException)
        {
            // The scan itself will say why trivy cannot be started.
        }

        return Name;
    }

    private ImageScanReport Skip(string image, string scanner, string reason, long started)
    {
        LogSkipped(image, reason);
        return ImageScanReport.Skip(scanner, reason, _time.GetElapsedTime(started));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scanning {Image} for vulnerabilities: {Command}")]
    private partial void LogScanning(string image, CommandSpec command);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scanned {Image}: {Findings} findings in {Seconds:F1}s ({Scanner})")]
    private partial void LogScanned(string image, int findings, double seconds, string scanner);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image scan of {Image} skipped: {Reason}")]
    private partial void LogSkipped(string image, string reason);
}
