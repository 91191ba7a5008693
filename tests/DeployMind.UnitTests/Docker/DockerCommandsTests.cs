using DeployMind.Application.Build;
using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

public sealed class DockerCommandsTests
{
    [Fact]
    public void Build_FullRequest_RendersArgumentList()
    {
        var request = new ImageBuildRequest("/src/app", "/tmp/x/Dockerfile", "shop-api:3f2a1bc")
        {
            Network = "host",
            NoCache = true,
            BuildArgs = new Dictionary<string, string> { ["NPM_TOKEN"] = "npm_secretvalue123", ["A"] = "1x1" },
            Labels = new Dictionary<string, string> { ["io.deploymind.app"] = "shop-api" },
        };

        var spec = DockerCommands.Build(request);

        Assert.Equal("docker", spec.Program);
        Assert.Equal(
            ["build", "--force-rm", "--tag", "shop-api:3f2a1bc", "--file", "/tmp/x/Dockerfile", "--network", "host", "--no-cache",
             "--build-arg", "A=1x1", "--build-arg", "NPM_TOKEN=npm_secretvalue123", "--label", "io.deploymind.app=shop-api", "/src/app"], // deploymind:allow (test data)
            spec.Arguments);
        Assert.DoesNotContain("npm_secretvalue123", spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_MinimalRequest_HasNoOptionalFlags()
    {
        var spec = DockerCommands.Build(new ImageBuildRequest("/src/app", "/src/app/Dockerfile", "app:1"));

        Assert.Equal(["build", "--force-rm", "--tag", "app:1", "--file", "/src/app/Dockerfile", "/src/app"], spec.Arguments);
    }

    [Fact]
    public void Build_EngineBuiltInBuildKit_SetsDockerBuildKitAndPlainProgressThroughTheGivenClient()
    {
        var request = new ImageBuildRequest("/src/app", "/src/app/Dockerfile", "app:1") { BuildArgs = new Dictionary<string, string> { ["TOKEN"] = "s3cr3t-value" } };

        var spec = DockerCommands.Build(request, new BuildKitClient("/usr/bin/docker", Buildx: false));

        Assert.Equal("/usr/bin/docker", spec.Program);
        Assert.Equal("1", spec.Environment["DOCKER_BUILDKIT"]);
        Assert.Equal(["build", "--progress=plain", "--tag", "app:1", "--file", "/src/app/Dockerfile", "--build-arg", "TOKEN=s3cr3t-value", "/src/app"], spec.Arguments);
        Assert.DoesNotContain("s3cr3t-value", spec.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void InspectImage_RendersFormat()
    {
        var spec = DockerCommands.InspectImage("app:1");

        Assert.Equal(["image", "inspect", "--format", "{{.Id}}|{{.Size}}|{{len .RootFS.Layers}}", "app:1"], spec.Arguments);
    }
}
