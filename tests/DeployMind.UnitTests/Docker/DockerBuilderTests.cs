using DeployMind.Application.Build;
using DeployMind.Infrastructure.Docker;
using DeployMind.Infrastructure.Processes;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.UnitTests.Docker;

public sealed class DockerBuilderTests
{
    [Fact]
    public async Task BuildAsync_Success_StreamsProgressAndReadsImageFacts()
    {
        var runner = new ScriptedRunner(
            new Step("build", 0, ["Step 1/2 : FROM x:1", " ---> Using cache", "Step 2/2 : \u001b[91mCMD [\"x\"]\u001b[0m", "Successfully tagged app:1"]),
            new Step("image", 0, ["sha256:feed|52400000|5"]));
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);
        var seen = new List<BuildProgress>();

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), new SyncProgress(seen.Add), CancellationToken.None);

        Assert.True(result.Success);
        Assert.Equal("sha256:feed", result.ImageId);
        Assert.Equal(52.4, result.SizeMb);
        Assert.Equal(5, result.Layers);
        Assert.Equal(1, result.CacheHits);
        Assert.Equal(4, seen.Count);
        Assert.Equal((2, 2), (seen[2].Step!.Value, seen[2].TotalSteps!.Value));
        Assert.Equal("Step 2/2 : CMD [\"x\"]", result.Log[2]);
        Assert.Equal(["build", "image"], runner.Calls.Select(c => c.Arguments[0]));
    }

    [Fact]
    public async Task BuildAsync_FailedBuild_ReturnsFailureWithoutInspecting()
    {
        var runner = new ScriptedRunner(new Step("build", 1, ["Step 1/1 : RUN false", "The command '/bin/sh -c false' returned a non-zero code: 1"]));
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("RUN false", result.FailedStep);
        Assert.Contains("at step 1/1 `RUN false`", result.Error, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task BuildAsync_PipCannotReachItsIndex_SaysSoOnceAndCollapsesTheRetries()
    {
        string[] before = ["Step 5/18 : COPY requirements.txt ./", " ---> 3ceed4690aa4"];
        var runner = new ScriptedRunner(new Step("build", 1, [.. before, .. PackageIndexFailureTests.PipLog]));
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        var lines = result.Error!.Split('\n');
        Assert.StartsWith("Build failed at step 6/18 `RUN pip --python /opt/venv/bin/python install", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("pip could not reach its package index (pypi.org: ", lines[1], StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("could not reach", StringComparison.Ordinal));
        var retry = Assert.Single(lines, l => l.Contains("Retrying", StringComparison.Ordinal));
        Assert.EndsWith("(×5)", retry, StringComparison.Ordinal);
        Assert.Contains("  ERROR: No matching distribution found for flask==3.0.0", lines);
        Assert.Equal(PackageIndexFailureTests.PipLog.Length + 2, result.Log.Count); // the recorded log keeps every line
    }

    [Fact]
    public async Task BuildAsync_DockerMissing_ReturnsFailureNamingTheCli()
    {
        var builder = new DockerBuilder(new ScriptedRunner(), TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("Could not run the docker CLI", result.Error, StringComparison.Ordinal);
    }

    /// <summary>The engine's built-in BuildKit (Docker 20.10) failing a RUN while another stage runs: captured from a real build.</summary>
    internal static readonly string[] BuildKitFailureLog =
    [
        "#1 [internal] load build definition from Dockerfile",
        "#1 sha256:9a96e48dff657cdaea7e98f9bada7a72e3ef712c755c92bdb76ffda83e1e973f",
        "#1 transferring dockerfile: 156B done",
        "#1 DONE 0.0s",
        "#4 [build 1/4] FROM docker.io/deploymind-base/golang:1.19",
        "#4 DONE 0.0s",
        "#9 [stage-1 1/2] FROM docker.io/deploymind-base/static:nonroot",
        "#9 DONE 0.0s",
        "#5 [build 2/4] WORKDIR /src",
        "#5 CACHED",
        "#7 [build 3/4] COPY . .",
        "#7 DONE 0.0s",
        "#8 [build 4/4] RUN echo hello-out && echo oops-err >&2 && exit 3",
        "#8 sha256:3ef1ae63f13d17a461c62aca07b8ec72d892ea1e936e60f21b9c79908c015ec9",
        "#10 [stage-1 2/2] COPY config.json /etc/app/",
        "#10 0.101 unrelated line of another stage",
        "#8 0.130 hello-out",
        "#8 0.130 oops-err",
        "#8 ERROR: executor failed running [/bin/sh -c echo hello-out && echo oops-err >&2 && exit 3]: exit code: 3",
        "#10 CANCELED",
        "------",
        " > [build 4/4] RUN echo hello-out && echo oops-err >&2 && exit 3:",
        "------",
        "executor failed running [/bin/sh -c echo hello-out && echo oops-err >&2 && exit 3]: exit code: 3",
    ];

    [Fact]
    public async Task BuildAsync_ClientWithoutBuildx_UsesTheEngineBuiltInBuildKitThroughAnOlderClientOnPath()
    {
        var runner = new ScriptedRunner(new Step("build", 0, ["#5 [build 2/4] WORKDIR /src", "#5 CACHED", "#14 DONE 0.1s"]), new Step("image", 0, ["sha256:feed|52400000|5"]))
        {
            Version = program => program == "/usr/bin/docker" ? "20.10.24+dfsg1|20.10.24+dfsg1|linux" : "28.2.2|20.10.24+dfsg1|linux",
        };
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => ["/usr/local/other/docker", "/usr/bin/docker"]);

        var info = await builder.ProbeAsync(CancellationToken.None);
        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.Equal(ImageBuilderKind.BuildKit, info.Kind);
        Assert.Equal("BuildKit (the engine's built-in, DOCKER_BUILDKIT=1)", result.Builder);
        var build = runner.Calls[0];
        Assert.Equal("/usr/bin/docker", build.Program);
        Assert.Equal("1", build.Environment["DOCKER_BUILDKIT"]);
        Assert.Equal(["build", "--progress=plain"], build.Arguments.Take(2));
        Assert.Equal(1, result.CacheHits);
        // Probed once for both calls: version, buildx version, then the two other clients' versions.
        Assert.Equal(["docker version", "docker buildx", "/usr/local/other/docker version", "/usr/bin/docker version"], runner.Probes.Select(p => $"{p.Program} {p.Arguments[0]}"));
    }

    [Fact]
    public async Task BuildAsync_BuildxInstalled_BuildsWithBuildxLoadingTheImage()
    {
        var runner = new ScriptedRunner(new Step("buildx", 0, ["#14 DONE 0.1s"]), new Step("image", 0, ["sha256:feed|52400000|5"])) { Buildx = true };
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.Equal("BuildKit (docker buildx)", result.Builder);
        Assert.Equal(["buildx", "build", "--load", "--progress=plain"], runner.Calls[0].Arguments.Take(4));
        Assert.False(runner.Calls[0].Environment.ContainsKey("DOCKER_BUILDKIT"));
    }

    [Fact]
    public async Task BuildAsync_NoBuildKitAnywhere_FallsBackToTheClassicBuilder()
    {
        var runner = new ScriptedRunner(new Step("build", 0, ["Step 1/1 : FROM x:1"]), new Step("image", 0, ["sha256:feed|52400000|5"]));
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var info = await builder.ProbeAsync(CancellationToken.None);
        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.Equal((ImageBuilderKind.Classic, "classic builder"), (info.Kind, result.Builder));
        Assert.Contains("needs the buildx plugin", info.Reason, StringComparison.Ordinal);
        Assert.Equal(["build", "--force-rm"], runner.Calls[0].Arguments.Take(2));
        Assert.Empty(runner.Calls[0].Environment);
    }

    [Theory]
    [InlineData("20.10.24|18.06.3-ce|linux", null, "has no BuildKit")]
    [InlineData("20.10.24|20.10.24|windows", null, "has no BuildKit")]
    [InlineData("20.10.24|20.10.24|linux", "0", "DOCKER_BUILDKIT=0")]
    public async Task ProbeAsync_EngineWithoutBuildKitOrTurnedOff_IsClassic(string version, string? dockerBuildKit, string reason)
    {
        var runner = new ScriptedRunner { Version = _ => version };

        var (probed, final) = await DockerBuilder.ProbeAsync(runner, [], dockerBuildKit, CancellationToken.None);

        Assert.True(final);
        Assert.Equal(ImageBuilderKind.Classic, probed.Info.Kind);
        Assert.Contains(reason, probed.Info.Reason, StringComparison.Ordinal);
        Assert.Null(probed.Client);
    }

    [Fact]
    public async Task BuildAsync_BuildKitStepFails_NamesTheStepThatFailedAndShowsItsOwnOutput()
    {
        var runner = new ScriptedRunner(new Step("build", 1, BuildKitFailureLog)) { Version = _ => "20.10.24+dfsg1|20.10.24+dfsg1|linux" };
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.False(result.Success);
        Assert.Equal("RUN echo hello-out && echo oops-err >&2 && exit 3", result.FailedStep);
        var lines = result.Error!.Split('\n');
        Assert.Equal("Build failed at step 4/4 of stage build `RUN echo hello-out && echo oops-err >&2 && exit 3`: executor failed running [/bin/sh -c echo hello-out && echo oops-err >&2 && exit 3]: exit code: 3", lines[0]);
        Assert.Equal(["Output of the failing step:", "  hello-out", "  oops-err"], lines[1..]);
    }

    [Fact]
    public async Task BuildAsync_BuildKitCannotPullTheBaseImage_SaysToMapIt()
    {
        string[] log =
        [
            "#3 [internal] load metadata for docker.io/deploymind-base/nope:1",
            "#3 ERROR: failed to do request: Head \"https://registry-1.docker.io/v2/deploymind-base/nope/manifests/1\": dial tcp: lookup registry-1.docker.io: no such host",
            "------",
            " > [internal] load metadata for docker.io/deploymind-base/nope:1:",
            "------",
            "failed to solve with frontend dockerfile.v0: failed to create LLB definition: failed to do request: Head \"https://registry-1.docker.io/v2/deploymind-base/nope/manifests/1\": dial tcp: lookup registry-1.docker.io: no such host",
        ];
        var runner = new ScriptedRunner(new Step("build", 1, log)) { Version = _ => "20.10.24+dfsg1|20.10.24+dfsg1|linux" };
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.StartsWith("Build failed at `FROM docker.io/deploymind-base/nope:1`: failed to solve", result.Error, StringComparison.Ordinal);
        Assert.Contains("The base image could not be pulled. Map it", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildAsync_ClassicBuilderMeetsRunMount_SaysItNeedsBuildKit()
    {
        var runner = new ScriptedRunner(new Step("build", 1, ["Dockerfile parse error line 4: Unknown flag: mount"]));
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance, () => []);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1") { Builder = ImageBuilderKind.Classic }, null, CancellationToken.None);

        Assert.Contains("uses RUN --mount, which only BuildKit builds", result.Error, StringComparison.Ordinal);
        Assert.Empty(runner.Probes); // the classic builder asked for: nothing to probe
    }

    private sealed record Step(string FirstArgument, int ExitCode, string[] Lines);

    /// <summary>A hand-written fake runner: answers each call with the next scripted output.</summary>
    private sealed class ScriptedRunner : ICommandRunner
    {
        private readonly Queue<Step> _steps;

        public ScriptedRunner(params Step[] steps)
        {
            _steps = new Queue<Step>(steps);
        }

        public List<CommandSpec> Calls { get; } = [];

        public List<CommandSpec> Probes { get; } = [];

        public string Name => "scripted";

        /// <summary>The answer to <c>docker version</c> (client|engine|os) per client; the default client needs buildx, which is missing.</summary>
        public Func<string, string> Version { get; init; } = _ => "28.2.2|20.10.24+dfsg1|linux";

        public bool Buildx { get; init; }

        public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
            if (command.Arguments[0] == "version" || command.Arguments is ["buildx", "version"])
            {
                Probes.Add(command);
                var ok = command.Arguments[0] == "version" || Buildx;
                return Task.FromResult(new CommandResult(command.ToString(), ok ? 0 : 1, command.Arguments[0] == "version" ? Version(command.Program) : "github.com/docker/buildx v0.12.1", ok ? string.Empty : "docker: 'buildx' is not a docker command.", TimeSpan.Zero));
            }

            Calls.Add(command);
            if (!_steps.TryDequeue(out var step))
            {
                throw new CommandStartException("docker: not found", new InvalidOperationException());
            }

            Assert.Equal(step.FirstArgument, command.Arguments[0]);
            foreach (var line in step.Lines)
            {
                onOutput?.Invoke(new OutputLine(OutputChannel.StandardOutput, line));
            }

            return Task.FromResult(new CommandResult(command.ToString(), step.ExitCode, string.Join('\n', step.Lines), string.Empty, TimeSpan.FromSeconds(1)));
        }
    }

    private sealed class SyncProgress(Action<BuildProgress> report) : IProgress<BuildProgress>
    {
        public void Report(BuildProgress value) => report(value);
    }
}
