using System.Globalization;
using DeployMind.Application.Build;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Docker;

internal sealed partial class DockerBuilder
{
    /// <summary>Docker clients from this major version on build with BuildKit only through the buildx plugin.</summary>
    private const int FirstClientNeedingBuildx = 23;

    private readonly Lock _probeGate = new();
    private Task<(Probed Probed, bool Final)>? _probe;

    /// <summary>What the probe found: the builder, and how to reach BuildKit when it is one.</summary>
    internal sealed record Probed(ImageBuilderInfo Info, BuildKitClient? Client);

    public async Task<ImageBuilderInfo> ProbeAsync(CancellationToken cancellationToken) => (await ProbedAsync(cancellationToken)).Info;

    // One probe per process, shared by concurrent callers; a probe the engine did not answer is not kept (the next build asks
    // again rather than building classic for good).
    private async Task<Probed> ProbedAsync(CancellationToken cancellationToken)
    {
        Task<(Probed Probed, bool Final)> task;
        lock (_probeGate)
        {
            task = _probe ??= ProbeAndLogAsync();
        }

        var (probed, final) = await task.WaitAsync(cancellationToken);
        if (!final)
        {
            lock (_probeGate)
            {
                if (_probe == task)
                {
                    _probe = null;
                }
            }
        }

        return probed;
    }

    private async Task<(Probed Probed, bool Final)> ProbeAndLogAsync()
    {
        var result = await ProbeAsync(_runner, _clients(), Environment.GetEnvironmentVariable("DOCKER_BUILDKIT"), CancellationToken.None);
        LogProbed(result.Probed.Info.Name, result.Probed.Info.Reason);
        return result;
    }

    /// <summary>
    /// BuildKit when the engine offers it: through buildx when the plugin is installed, else the engine's built-in BuildKit
    /// (Docker 18.09+ on Linux) with a client that still supports <c>DOCKER_BUILDKIT=1</c> — the first <c>docker</c> on
    /// PATH, or another one further down PATH when the first needs buildx — else the classic builder.
    /// <c>DOCKER_BUILDKIT=0</c> in the environment keeps the classic builder. Final is false when the engine did not answer.
    /// </summary>
    /// <param name="runner">Runs the docker CLI.</param>
    /// <param name="otherClients">The docker clients on PATH after the first (absolute paths).</param>
    /// <param name="dockerBuildKit">The DOCKER_BUILDKIT environment variable.</param>
    /// <param name="cancellationToken">Stops it.</param>
    internal static async Task<(Probed Probed, bool Final)> ProbeAsync(ICommandRunner runner, IReadOnlyList<string> otherClients, string? dockerBuildKit, CancellationToken cancellationToken)
    {
        if (dockerBuildKit == "0")
        {
            return (new Probed(ImageBuilderInfo.Classic("DOCKER_BUILDKIT=0 is set"), null), true);
        }

        var version = await TryRunAsync(runner, DockerCommands.Version(), cancellationToken);
        if (version is null || !version.Succeeded)
        {
            var why = version is null ? "the docker CLI could not be started" : FirstLine(version.StandardError);
            return (new Probed(ImageBuilderInfo.Classic($"the engine did not answer `docker version` ({why})"), null), false);
        }

        var parts = version.StandardOutput.Trim().Split('|');
        var client = parts.Length == 3 ? Major(parts[0]) : null;
        var engine = parts.Length == 3 ? parts[1] : string.Empty;
        if (!OffersBuildKit(engine, parts.Length == 3 ? parts[2] : string.Empty))
        {
            return (new Probed(ImageBuilderInfo.Classic($"the engine ({engine}) has no BuildKit"), null), true);
        }

        var buildx = await TryRunAsync(runner, DockerCommands.BuildxVersion(), cancellationToken);
        if (buildx is { Succeeded: true })
        {
            return (new Probed(new ImageBuilderInfo(ImageBuilderKind.BuildKit, "BuildKit (docker buildx)", $"buildx {FirstLine(buildx.StandardOutput)}, engine {engine}"), new BuildKitClient(DockerCommands.Program, Buildx: true)), true);
        }

        if (client is < FirstClientNeedingBuildx)
        {
            return (new Probed(BuiltIn(engine, null), new BuildKitClient(DockerCommands.Program, Buildx: false)), true);
        }

        foreach (var other in otherClients)
        {
            var answer = await TryRunAsync(runner, DockerCommands.Version(other), cancellationToken);
            if (answer is { Succeeded: true } && Major(answer.StandardOutput.Trim().Split('|')[0]) is < FirstClientNeedingBuildx)
            {
                return (new Probed(BuiltIn(engine, other), new BuildKitClient(other, Buildx: false)), true);
            }
        }

        return (new Probed(ImageBuilderInfo.Classic($"the docker client ({parts[0]}) needs the buildx plugin for BuildKit and none is installed"), null), true);
    }

    private static ImageBuilderInfo BuiltIn(string engine, string? client) =>
        new(ImageBuilderKind.BuildKit, "BuildKit (the engine's built-in, DOCKER_BUILDKIT=1)",
            client is null ? $"engine {engine}, no buildx plugin" : $"engine {engine}, no buildx plugin; the docker client {client} supports DOCKER_BUILDKIT=1");

    // The built-in BuildKit came with Docker 18.09, on Linux engines only.
    private static bool OffersBuildKit(string engineVersion, string os)
    {
        var numbers = engineVersion.Split('.', '-', '+');
        return os.Equals("linux", StringComparison.OrdinalIgnoreCase)
            && numbers.Length >= 2
            && int.TryParse(numbers[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(numbers[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minor)
            && (major > 18 || (major == 18 && minor >= 9));
    }

    private static int? Major(string version) =>
        int.TryParse(version.Split('.')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) ? major : null;

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();

    private static async Task<CommandResult?> TryRunAsync(ICommandRunner runner, CommandSpec command, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.RunAsync(command, null, cancellationToken);
        }
        catch (CommandStartException)
        {
            return null;
        }
    }
}
