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

    private readonly Func<IReadOnlyList<string>> _clients;

    public DockerBuilder(ICommandRunner runner, TimeProvider time, ILogger<DockerBuilder> logger)
        : this(runner, time, logger, () => [.. ExecutableLocator.FindAll(DockerCommands.Program, Environment.GetEnvironmentVariable("PATH")).Skip(1)])
    {
    }

    /// <param name="runner">Runs the docker CLI.</param>
    /// <param name="time">Measures builds.</param>
    /// <param name="logger">Logs builds and the builder probe.</param>
    /// <param name="otherClients">The docker clients on PATH after the first, for the builder probe.</param>
    internal DockerBuilder(ICommandRunner runner, TimeProvider time, ILogger<DockerBuilder> logger, Func<IReadOnlyList<string>> otherClients)
    {
        _runner = runner;
        _time = time;
        _logger = logger;
        _clients = otherClients;
    }

    public async Task<BuildResult> BuildAsync(ImageBuildRequest request, IProgress<BuildProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parser = new BuildOutputParser();
        var log = new List<string>();
        var gate = new Lock();
        var started = _time.GetTimestamp();
        var probed = request.Builder == ImageBuilderKind.Classic ? new Probed(ImageBuilderInfo.Classic("asked for"), null) : await ProbedAsync(cancellationToken);
        if (request.Builder == ImageBuilderKind.BuildKit && probed.Client is null)
        {
            return Failed(request, log, parser, TimeSpan.Zero,
                $"build.builder is buildkit, but this engine offers no BuildKit ({probed.Info.Reason}). Install the buildx plugin, or set build.builder to auto or classic.");
        }

        var client = request.Builder == ImageBuilderKind.Classic ? null : probed.Client;
        var builderName = client is null ? ImageBuilderInfo.Classic(string.Empty).Name : probed.Info.Name;
        LogBuilding(request.ImageTag, request.ContextPath, builderName);

        void OnOutput(OutputLine line)
        {
            var text = AnsiText.Strip(line.Text);
            lock (gate)
            {
                log.Add(text);
                var starts = parser.Accept(text);
                progress?.Report(new BuildProgress(text, parser.Step, parser.TotalSteps, parser.Instruction) { Stage = parser.Stage, StartsStep = starts });
            }
        }

        CommandResult result;
        try
        {
            result = await _runner.RunAsync(DockerCommands.Build(request, client), OnOutput, cancellationToken);
        }
        catch (CommandStartException ex)
        {
            return Failed(request, log, parser, _time.GetElapsedTime(started), $"Could not run the docker CLI: {ex.Message}") with { Builder = builderName };
        }

        if (!result.Succeeded)
        {
            var elapsed = _time.GetElapsedTime(started);
            var error = DescribeFailure(parser, log, result.ExitCode);
            LogFailed(request.ImageTag, parser.Instruction ?? "(before the first step)", elapsed.TotalSeconds);
            return Failed(request, log, parser, elapsed, error) with { Builder = builderName };
        }

        var inspect = await _runner.RunAsync(DockerCommands.InspectImage(request.ImageTag), null, cancellationToken);
        var duration = _time.GetElapsedTime(started);
        if (!inspect.Succeeded || !TryParseInspect(inspect.StandardOutput, out var id, out var bytes, out var layers))
        {
            return Failed(request, log, parser, duration,
                $"docker build reported success but the image '{request.ImageTag}' could not be inspected: {inspect.StandardError.Trim()}") with { Builder = builderName };
        }

        var sizeMb = Math.Round(bytes / 1_000_000d, 1);
        LogBuilt(request.ImageTag, id, sizeMb, layers, duration.TotalSeconds, parser.CacheHits, builderName);
        return new BuildResult(true, request.ImageTag, id, sizeMb, layers, duration, parser.CacheHits, [.. parser.Warnings], log, null, null) { Builder = builderName };
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

        var where = (parser.Instruction, parser.Step, parser.Stage) switch
        {
            (null, _, _) => "before the first build step",
            (var instruction, null, _) => $"at `{instruction}`",
            (var instruction, var step, null) => $"at step {step}/{parser.TotalSteps} `{instruction}`",
            (var instruction, var step, var stage) => $"at step {step}/{parser.TotalSteps} of stage {stage} `{instruction}`",
        };
        var stepOutput = parser.FailedStepOutput(log);
        var hint = string.Empty;
        if (parser.Instruction?.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase) == true
            && PullFailureMarkers.Any(m => reason.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            hint = $"\nThe base image could not be pulled. Map it to one this machine has or can reach with build.baseImages in deploymind.yml (see docs/configuration.md), or build the local base images (scripts/base-images/build.sh).";
        }

        else if (PackageIndexFailure.Describe(parser.Instruction, parser.IsBuildKit && parser.FailedVertex is not null ? stepOutput : PackageIndexFailure.LastStep(log)) is { } unreachable)
        {
            hint = "\n" + unreachable;
        }
        else if (reason.Contains("Unknown flag: mount", StringComparison.Ordinal) || reason.Contains("requires BuildKit", StringComparison.Ordinal))
        {
            hint = "\nThe Dockerfile uses RUN --mount, which only BuildKit builds, and this build ran with the classic builder. "
                + "Install the buildx plugin (or use a docker client that supports DOCKER_BUILDKIT=1) and set build.builder to auto, or remove the --mount flags.";
        }

        if (stepOutput.Count > 0)
        {
            var output = BuildLogTail.Last(stepOutput, TailLines);
            return $"Build failed {where}: {reason}{hint}\nOutput of the failing step:\n  " + string.Join("\n  ", output);
        }

        var tail = BuildLogTail.Last(log, TailLines);
        return $"Build failed {where}: {reason}{hint}\nLast lines of the build log:\n  " + string.Join("\n  ", tail);
    }

    private static BuildResult Failed(ImageBuildRequest request, List<string> log, BuildOutputParser parser, TimeSpan duration, string error) =>
        new(false, request.ImageTag, null, 0, 0, duration, parser.CacheHits, [.. parser.Warnings], log, error, parser.Instruction);

    [LoggerMessage(Level = LogLevel.Information, Message = "Building {Tag} from {Context} with {Builder}")]
    private partial void LogBuilding(string tag, string context, string builder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built {Tag} ({ImageId}): {SizeMb} MB, {Layers} layers in {Seconds:F1}s, {CacheHits} cached steps, {Builder}")]
    private partial void LogBuilt(string tag, string imageId, double sizeMb, int layers, double seconds, int cacheHits, string builder);

    [LoggerMessage(Level = LogLevel.Information, Message = "Image builder: {Builder} ({Reason})")]
    private partial void LogProbed(string builder, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Build of {Tag} failed at {Instruction} after {Seconds:F1}s")]
    private partial void LogFailed(string tag, string instruction, double seconds);
}
