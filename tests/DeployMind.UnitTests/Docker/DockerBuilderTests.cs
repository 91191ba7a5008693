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
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance);
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
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance);

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
        var builder = new DockerBuilder(runner, TimeProvider.System, NullLogger<DockerBuilder>.Instance);

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
        var builder = new DockerBuilder(new ScriptedRunner(), TimeProvider.System, NullLogger<DockerBuilder>.Instance);

        var result = await builder.BuildAsync(new ImageBuildRequest("/c", "/c/Dockerfile", "app:1"), null, CancellationToken.None);

        Assert.False(result.Success);
        Assert.Contains("Could not run the docker CLI", result.Error, StringComparison.Ordinal);
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

        public string Name => "scripted";

        public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
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
