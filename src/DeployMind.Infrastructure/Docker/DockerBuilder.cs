using System.Globalization;
using DeployMind.Application.Build;
using DeployMind.Domain.Build;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// Builds images with <c>docker build</c> through an <see cref="ICommandRunner"/>, streaming every line,
/// then reads id, size and layer count with <c>docker image inspect</c>.
/// </summary>
internal sealed partial class DockerBuilder : IImageBuilder
{
    private const int TailLines = 15;

    private static readonly string[] PullFailureMarkers =
        ["pull access denied", "manifest unknown", "not found", "no such host", "dial tcp", "i/o timeout", "TLS handshake", "connection refused", "lookup "];

    private readonly ICommandRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger<DockerBuilder> _logger;

    public DockerBuilder(ICommandRunner runner, TimeProvider time, ILogger<DockerBuilder> logger)
    {
        _runner = runner;
        _time = time;
        _logger = logger;
    }

    public async Task<BuildResult> BuildAsync(ImageBuildRequest request, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parser = new BuildOutputParser();
        var log = new List<string>();
        var gate = new Lock();
        var started = _time.GetTimestamp();
        LogBuilding(request.ImageTag, request.ContextPath);

        void OnOutput(OutputLine line)
        {
            var text = AnsiText.Strip(line.Text);
            lock (gate)
            {
                log.Add(text);
                parser.Accept(text);
                progress?.Report(new BuildProgress(text, parser.Step, parser.TotalSteps, parser.Instruction));
            }
        }

        CommandResult result;
        try
        {
            result = await _runner.RunAsync(DockerCommands.Build(request), OnOutput, cancellationToken);
        }
        catch (CommandStartException ex)
        {
            return Failed(request, log, parser, _time.GetElapsedTime(started), $"Could not run the docker CLI: {ex.Message}");
        }

        if (!result.Succeeded)
        {
            var elapsed = _time.GetElapsedTime(started);
            var error = DescribeFailure(parser, log, result.ExitCode);
            LogFailed(request.ImageTag, parser.Instruction ?? "(before the first step)", elapsed.TotalSeconds);
            return Failed(request, log, parser, elapsed, error);
        }

        var inspect = await _runner.RunAsync(DockerCommands.InspectImage(request.ImageTag), null, cancellationToken);
        var duration = _time.GetElapsedTime(started);
        if (!inspect.Succeeded || !TryParseInspect(inspect.StandardOutput, out var id, out var bytes, out var layers))
        {
            return Failed(request, log, parser, duration,
                $"docker build reported success but the image '{request.ImageTag}' could not be inspected: {inspect.StandardError.Trim()}");
        }

        var sizeMb = Math.Round(bytes / 1_000_000d, 1);
        LogBuilt(request.ImageTag, id, sizeMb, layers, duration.TotalSeconds, parser.CacheHits);
        return new BuildResult(true, request.ImageTag, id, sizeMb, layers, duration, parser.CacheHits, [.. parser.Warnings], log, null, null);
    }

    internal static bool TryParseInspect(string output, out string id, out long bytes, out int layers)
    {
        id = string.Empty;
        bytes = 0;
        layers = 0;
        var parts = output.Trim().Split('|');
        return parts.Length == 3
            && parts[0].StartsWith("sha256:", StringComparison.Ordinal)
            && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out bytes)
            && int.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out layers)
            && (id = parts[0]).Length > 0;
    }

    /// <summary>
    /// One clear message: the failing step, the builder's own error, what to do when the cause is known (a base image
    /// that cannot be pulled, a package index that cannot be reached), and the last lines of the log with repeats collapsed.
    /// </summary>
    internal static string DescribeFailure(BuildOutputParser parser, IReadOnlyList<string> log, int exitCode)
    {
        var reason = parser.Errors.Count > 0 ? parser.Errors[^1] : $"docker build exited with code {exitCode}";
        if (reason.StartsWith("Cannot connect to the Docker daemon", StringComparison.Ordinal))
        {
            return $"The Docker engine is not reachable ({reason.TrimEnd('.')}). Start it (e.g. `dockerd`), or point DOCKER_HOST at it, then build again.";
        }

        var where = parser.Instruction is null
            ? "before the first build step"
            : $"at step {parser.Step}/{parser.TotalSteps} `{parser.Instruction}`";
        var hint = string.Empty;
        if (parser.Instruction?.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase) == true
            && PullFailureMarkers.Any(m => reason.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            hint = $"\nThe base image could not be pulled. Map it to one this machine has or can reach with build.baseImages in deploymind.yml (see docs/configuration.md), or build the local base images (scripts/base-images/build.sh).";
        }

        else if (PackageIndexFailure.Describe(parser.Instruction, PackageIndexFailure.LastStep(log)) is { } unreachable)
        {
            hint = "\n" + unreachable;
        }

        var tail = BuildLogTail.Last(log, TailLines);
        return $"Build failed {where}: {reason}{hint}\nLast lines of the build log:\n  " + string.Join("\n  ", tail);
    }

    private static BuildResult Failed(ImageBuildRequest request, List<string> log, BuildOutputParser parser, TimeSpan duration, string error) =>
        new(false, request.ImageTag, null, 0, 0, duration, parser.CacheHits, [.. parser.Warnings], log, error, parser.Instruction);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Tag} from {Context}")]
    private partial void LogBuilding(string tag, string context);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built {Tag} ({ImageId}): {SizeMb} MB, {Layers} layers in {Seconds:F1}s, {CacheHits} cached steps")]
    private partial void LogBuilt(string tag, string imageId, double sizeMb, int layers, double seconds, int cacheHits);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build of {Tag} failed at {Instruction} after {Seconds:F1}s")]
    private partial void LogFailed(string tag, string instruction, double seconds);
}
