using DeployMind.IntegrationTests.Support;

namespace DeployMind.IntegrationTests.Build;

/// <summary>The examples, built from generated Dockerfiles on the real engine, run and answer on /health.</summary>
public sealed class ExampleBuildTests : IDisposable
{
    private readonly BuildHost _host = new();

    [Theory]
    [InlineData("node-express", "node-express-example")]
    [InlineData("python-stdlib", "python-stdlib-example")]
    [InlineData("go-stdlib", "go-stdlib-example")]
    public async Task Build_Example_ImageRunsAndAnswersOnHealth(string example, string appName)
    {
        using var source = Repo.CopyOf(Repo.Example(example));
        var tag = $"dm-it-{example}:test";
        var container = $"dm-it-{example}-{Guid.NewGuid():N}"[..40];
        try
        {
            var plan = await _host.Builds.PlanAsync(source.Path, tag, CancellationToken.None);
            Assert.True(plan.DockerfileGenerated);
            Assert.Empty(plan.Findings);

            var result = await _host.Builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);

            Assert.True(result.Success, result.Error);
            Assert.StartsWith("sha256:", result.ImageId, StringComparison.Ordinal);
            Assert.True(result.SizeMb > 0);
            Assert.True(result.Layers > 0);
            Assert.False(File.Exists(Path.Combine(source.Path, "Dockerfile")), "build must not write a Dockerfile into the app folder");
            Assert.False(File.Exists(Path.Combine(source.Path, ".dockerignore")), "the generated .dockerignore is for the build only");

            var user = (await Docker.RunAsync("image", "inspect", "--format", "{{.Config.User}}", tag)).StandardOutput.Trim();
            Assert.NotEqual(string.Empty, user);
            Assert.NotEqual("root", user);
            Assert.NotEqual("0", user);

            var port = Docker.FreePort();
            await Docker.StartAsync(tag, port, container);
            var health = await Docker.WaitForHttpAsync(port, "/health", container, TimeSpan.FromSeconds(30));
            Assert.Contains("ok", health, StringComparison.Ordinal);
            var home = await Docker.WaitForHttpAsync(port, "/", container, TimeSpan.FromSeconds(5));
            Assert.Contains(appName, home, StringComparison.Ordinal);
        }
        finally
        {
            await Docker.RemoveContainerAsync(container);
            await Docker.RemoveImageAsync(tag);
        }
    }

    [Fact]
    public async Task Build_BrokenGoApp_FailsQuotingTheStepAndTheCompilerError()
    {
        using var source = new TempFolder();
        source.Write("go.mod", "module example.com/broken\n\ngo 1.19\n");
        source.Write("main.go", "package main\n\nfunc main() {\n\tthis is not go\n}\n");
        var tag = "dm-it-broken:test";

        var plan = await _host.Builds.PlanAsync(source.Path, tag, CancellationToken.None);
        var result = await _host.Builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);

        Assert.False(result.Success);
        Assert.NotNull(result.Error);
        Assert.Contains("go build", result.FailedStep, StringComparison.Ordinal);
        Assert.Matches(@"Build failed at step \d+/\d+ `RUN CGO_ENABLED=0 go build", result.Error);
        Assert.Contains("main.go:4", result.Error, StringComparison.Ordinal);
        Assert.Contains("returned a non-zero code", result.Error, StringComparison.Ordinal);
        Assert.True(result.Log.Count > 0);
        Assert.Equal(1, (await Docker.RunAsync("image", "inspect", tag)).ExitCode);
        var leftovers = await Docker.RunAsync("ps", "--all", "--quiet", "--filter", "status=exited", "--filter", "ancestor=deploymind-base/golang:1.19");
        Assert.True(leftovers.StandardOutput.Trim().Length == 0, "a failed build must not leave its step's container behind");
    }

    [Fact]
    public async Task Rebuild_AfterSourceOnlyChange_ReusesDependencyLayers()
    {
        using var source = Repo.CopyOf(Repo.Example("node-express"));
        var tag = "dm-it-rebuild:test";
        try
        {
            var first = await BuildAsync(source.Path, tag);
            Assert.True(first.Success, first.Error);

            File.AppendAllText(Path.Combine(source.Path, "server.js"), "\n// a source-only change\n");
            var second = await BuildAsync(source.Path, tag);

            Assert.True(second.Success, second.Error);
            Assert.True(StepWasCached(second.Log, "npm ci"), "the dependency install step should come from the cache:\n" + string.Join('\n', second.Log));
            Assert.False(StepWasCached(second.Log, "COPY --chown=node:node . ."), "the changed sources must be copied again");
            Assert.NotEqual(first.ImageId, second.ImageId);
        }
        finally
        {
            await Docker.RemoveImageAsync(tag);
        }
    }

    public void Dispose() => _host.Dispose();

    private async Task<Domain.Build.BuildResult> BuildAsync(string path, string tag)
    {
        var plan = await _host.Builds.PlanAsync(path, tag, CancellationToken.None);
        return await _host.Builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
    }

    /// <summary>Whether the step whose instruction contains <paramref name="instruction"/> was answered from the cache.</summary>
    private static bool StepWasCached(IReadOnlyList<string> log, string instruction)
    {
        for (var i = 0; i < log.Count; i++)
        {
            if (log[i].StartsWith("Step ", StringComparison.Ordinal) && log[i].Contains(instruction, StringComparison.Ordinal))
            {
                return log.Skip(i + 1).TakeWhile(l => !l.StartsWith("Step ", StringComparison.Ordinal)).Any(l => l.Trim() == "---> Using cache");
            }
        }

        throw new InvalidOperationException($"No step containing '{instruction}' in the log.");
    }
}
