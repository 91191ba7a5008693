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

    [Theory]
    [InlineData("classic")]
    [InlineData("buildkit")]
    public async Task Build_BrokenGoApp_FailsQuotingTheStepAndTheCompilerError(string builder)
    {
        using var host = new BuildHost(builder);
        using var source = new TempFolder();
        source.Write("go.mod", "module example.com/broken\n\ngo 1.19\n");
        source.Write("main.go", "package main\n\nfunc main() {\n\tthis is not go\n}\n");
        var tag = $"dm-it-broken-{builder}:test";

        var plan = await host.Builds.PlanAsync(source.Path, tag, CancellationToken.None);
        var result = await host.Builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);

        Assert.False(result.Success);
        Assert.NotNull(result.Error);
        Assert.Contains("go build", result.FailedStep, StringComparison.Ordinal);
        Assert.Contains("main.go:4", result.Error, StringComparison.Ordinal);
        Assert.True(result.Log.Count > 0);
        Assert.Equal(1, (await Docker.RunAsync("image", "inspect", tag)).ExitCode);
        if (builder == "classic")
        {
            Assert.Equal("classic builder", result.Builder);
            Assert.Matches(@"Build failed at step \d+/\d+ `RUN CGO_ENABLED=0 go build", result.Error);
            Assert.Contains("returned a non-zero code", result.Error, StringComparison.Ordinal);
            var leftovers = await Docker.RunAsync("ps", "--all", "--quiet", "--filter", "status=exited", "--filter", "ancestor=deploymind-base/golang:1.19");
            Assert.True(leftovers.StandardOutput.Trim().Length == 0, "a failed build must not leave its step's container behind");
        }
        else
        {
            // BuildKit: the step and its stage, the builder's error, then the failing step's own output (the compiler's).
            Assert.StartsWith("BuildKit", result.Builder, StringComparison.Ordinal);
            var lines = result.Error.Split('\n');
            Assert.Matches(@"^Build failed at step 6/6 of stage build `RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build .*`: .*exit code: \d+$", lines[0]);
            Assert.Equal("Output of the failing step:", lines[1]);
            Assert.Contains(lines[2..], l => l.Contains("main.go:4", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("classic")]
    [InlineData("buildkit")]
    public async Task Rebuild_AfterSourceOnlyChange_ReusesDependencyLayers(string builder)
    {
        using var host = new BuildHost(builder);
        using var source = Repo.CopyOf(Repo.Example("node-express"));
        var tag = $"dm-it-rebuild-{builder}:test";
        try
        {
            var first = await BuildAsync(host, source.Path, tag);
            Assert.True(first.Success, first.Error);

            // A change no earlier build has seen: BuildKit's cache outlives the test and would answer a change made before.
            File.AppendAllText(Path.Combine(source.Path, "server.js"), $"\n// a source-only change {Guid.NewGuid():N}\n");
            var second = await BuildAsync(host, source.Path, tag);

            Assert.True(second.Success, second.Error);
            Assert.True(StepWasCached(second.Log, "npm ci"), "the dependency install step should come from the cache:\n" + string.Join('\n', second.Log));
            Assert.False(StepWasCached(second.Log, "COPY --chown=node:node . ."), "the changed sources must be copied again");
            Assert.NotEqual(first.ImageId, second.ImageId);
            Assert.StartsWith(builder == "classic" ? "classic" : "BuildKit", second.Builder, StringComparison.Ordinal);
            // WORKDIR, COPY of the manifests and npm ci at least (the classic builder also counts ENV and the like).
            Assert.True(second.CacheHits >= 3, $"{second.CacheHits} cached steps:\n" + string.Join('\n', second.Log));
            Assert.True(second.SizeMb > 0 && second.Layers > 0);
        }
        finally
        {
            await Docker.RemoveImageAsync(tag);
        }
    }

    public void Dispose() => _host.Dispose();

    private static async Task<Domain.Build.BuildResult> BuildAsync(BuildHost host, string path, string tag)
    {
        var plan = await host.Builds.PlanAsync(path, tag, CancellationToken.None);
        return await host.Builds.BuildAsync(plan, null, noCache: false, CancellationToken.None);
    }

    /// <summary>
    /// Whether the step whose instruction contains <paramref name="instruction"/> was answered from the cache: the classic
    /// builder's "---> Using cache" under its "Step n/m" line, or BuildKit's "#7 CACHED" for its "#7 [...]" step.
    /// </summary>
    private static bool StepWasCached(IReadOnlyList<string> log, string instruction)
    {
        for (var i = 0; i < log.Count; i++)
        {
            if (log[i].StartsWith("Step ", StringComparison.Ordinal) && log[i].Contains(instruction, StringComparison.Ordinal))
            {
                return log.Skip(i + 1).TakeWhile(l => !l.StartsWith("Step ", StringComparison.Ordinal)).Any(l => l.Trim() == "---> Using cache");
            }

            if (log[i].StartsWith('#') && log[i].Contains("] ", StringComparison.Ordinal) && log[i].Contains(instruction, StringComparison.Ordinal))
            {
                var vertex = log[i].Split(' ')[0];
                return log.Any(l => l == vertex + " CACHED");
            }
        }

        throw new InvalidOperationException($"No step containing '{instruction}' in the log.");
    }
}
