using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

public sealed class BuildOutputParserTests
{
    [Fact]
    public void Accept_ClassicBuilderOutput_TracksStepsCacheHitsWarningsAndErrors()
    {
        var parser = new BuildOutputParser();
        string[] lines =
        [
            "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.",
            "Sending build context to Docker daemon  5.12kB",
            "Step 1/4 : FROM node:20-bookworm-slim AS deps",
            " ---> 010bc92163ac",
            "Step 2/4 : COPY package.json ./",
            " ---> Using cache",
            " ---> 6e9dd08f7214",
            "Step 3/4 : RUN npm ci",
            " ---> Using cache",
            "Step 4/4 : RUN npm run build",
            " ---> Running in 92160a681d0c",
            "[WARNING]: Empty continuation line found in:",
            "The command '/bin/sh -c npm run build' returned a non-zero code: 2",
        ];

        var starts = lines.Count(parser.Accept);

        Assert.Equal(4, starts);
        Assert.Equal(4, parser.Step);
        Assert.Equal(4, parser.TotalSteps);
        Assert.Equal("RUN npm run build", parser.Instruction);
        Assert.Equal(2, parser.CacheHits);
        Assert.Equal(2, parser.Warnings.Count);
        Assert.Equal(["The command '/bin/sh -c npm run build' returned a non-zero code: 2"], parser.Errors);
    }

    [Fact]
    public void Accept_BuildKitPlainOutput_TracksStepsCacheHitsAndErrors()
    {
        var parser = new BuildOutputParser();
        string[] lines =
        [
            "#1 [internal] load build definition from Dockerfile",
            "#5 [build 1/4] FROM docker.io/library/golang:1.22-bookworm",
            "#6 [build 2/4] COPY go.mod ./",
            "#6 CACHED",
            "#7 [build 3/4] RUN go mod download",
            "#7 CACHED",
            "#8 [build 4/4] RUN go build -o /out/server .",
            "#8 0.512 ./main.go:4:7: syntax error",
            "#8 ERROR: process \"/bin/sh -c go build -o /out/server .\" did not complete successfully: exit code: 1",
        ];

        foreach (var line in lines)
        {
            parser.Accept(line);
        }

        Assert.Equal(4, parser.Step);
        Assert.Equal("RUN go build -o /out/server .", parser.Instruction);
        Assert.Equal(2, parser.CacheHits);
        Assert.Single(parser.Errors);
    }

    [Fact]
    public void Accept_BuildKitRebuild_CountsEachCachedStepOnceAndNotTheBaseImages()
    {
        // A real rebuild of the go-stdlib example after a source edit (the engine's built-in BuildKit, 20.10).
        string[] lines =
        [
            "#3 [internal] load metadata for docker.io/deploymind-base/golang:1.19",
            "#3 DONE 0.0s",
            "#6 [build 1/6] FROM docker.io/deploymind-base/golang:1.19",
            "#6 DONE 0.0s",
            "#5 [stage-1 1/2] FROM docker.io/deploymind-base/static:nonroot",
            "#5 DONE 0.0s",
            "#7 [build 2/6] WORKDIR /src",
            "#7 CACHED",
            "#9 [build 3/6] COPY go.mod ./",
            "#9 CACHED",
            "#10 [build 4/6] RUN --mount=type=cache,target=/go/pkg/mod go mod download",
            "#10 CACHED",
            "#11 [build 5/6] COPY . .",
            "#11 DONE 0.0s",
            "#12 [build 6/6] RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -o /out/server .",
            "#12 0.215 WARNING: something to note",
            "#12 DONE 1.2s",
            "#5 [stage-1 1/2] FROM docker.io/deploymind-base/static:nonroot",
            "#5 CACHED",
            "#7 CACHED",
            "#13 [stage-1 2/2] COPY --from=build /out/server /app/server",
            "#13 DONE 0.0s",
        ];
        var parser = new BuildOutputParser();

        var started = lines.Where(parser.Accept).ToList();

        Assert.Equal(3, parser.CacheHits);
        Assert.Equal(8, started.Count); // each numbered step once, though #5 is printed twice
        Assert.Equal(["WARNING: something to note"], parser.Warnings);
        Assert.Equal(("stage-1", 2, 2), (parser.Stage, parser.Step, parser.TotalSteps));
        Assert.Empty(parser.Errors);
    }

    [Theory]
    [InlineData("sha256:abc|123456789|7\n", true, 123456789L, 7)]
    [InlineData("sha256:abc|notanumber|7", false, 0L, 0)]
    [InlineData("Error: No such image: x", false, 0L, 0)]
    public void TryParseInspect_Output_ParsesIdSizeAndLayers(string output, bool ok, long bytes, int layers)
    {
        var parsed = DockerBuilder.TryParseInspect(output, out var id, out var size, out var count);

        Assert.Equal(ok, parsed);
        if (ok)
        {
            Assert.Equal("sha256:abc", id);
            Assert.Equal(bytes, size);
            Assert.Equal(layers, count);
        }
    }

    [Fact]
    public void DescribeFailure_FailedRunStep_QuotesStepErrorAndLogTail()
    {
        var parser = new BuildOutputParser();
        var log = new List<string> { "Step 1/2 : FROM x:1", "Step 2/2 : RUN make", "make: *** No rule to make target 'all'.  Stop.", "The command '/bin/sh -c make' returned a non-zero code: 2" };
        log.ForEach(l => parser.Accept(l));

        var message = DockerBuilder.DescribeFailure(parser, log, 1);

        Assert.StartsWith("Build failed at step 2/2 `RUN make`: The command '/bin/sh -c make' returned a non-zero code: 2", message, StringComparison.Ordinal);
        Assert.Contains("No rule to make target", message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeFailure_BaseImageNotPullable_SaysToMapBaseImages()
    {
        var parser = new BuildOutputParser();
        var log = new List<string> { "Step 1/5 : FROM node:20-bookworm-slim AS deps", "Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host", "Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host" };
        log.ForEach(l => parser.Accept(l));

        var message = DockerBuilder.DescribeFailure(parser, log, 1);

        Assert.Contains("at step 1/5 `FROM node:20-bookworm-slim AS deps`", message, StringComparison.Ordinal);
        Assert.Contains("build.baseImages", message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeFailure_EngineDown_SaysHowToStartIt()
    {
        var parser = new BuildOutputParser();
        var log = new List<string> { "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" };
        log.ForEach(l => parser.Accept(l));

        var message = DockerBuilder.DescribeFailure(parser, log, 1);

        Assert.StartsWith("The Docker engine is not reachable", message, StringComparison.Ordinal);
        Assert.Contains("DOCKER_HOST", message, StringComparison.Ordinal);
    }
}
