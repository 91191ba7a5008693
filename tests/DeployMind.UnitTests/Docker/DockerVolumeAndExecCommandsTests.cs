using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

/// <summary>The commands behind `app exec -it`, `--volumes` and a preview's accessories, as rendered argument lists.</summary>
public sealed class DockerVolumeAndExecCommandsTests
{
    [Fact]
    public void ExecInteractive_WithInputAndTerminal_RendersDockerExecIT()
    {
        var spec = DockerCommands.ExecInteractive("shop-r1", ["sh", "-c", "echo $HOME; exit 3"], interactive: true, tty: true);

        Assert.Equal("docker", spec.Program);
        Assert.Equal(["exec", "--interactive", "--tty", "shop-r1", "sh", "-c", "echo $HOME; exit 3"], spec.Arguments);
    }

    [Fact]
    public void ExecInteractive_InputOnly_HasNoTty()
    {
        var spec = DockerCommands.ExecInteractive("shop-r1", ["sh"], interactive: true, tty: false);

        Assert.Equal(["exec", "--interactive", "shop-r1", "sh"], spec.Arguments);
    }

    [Fact]
    public void VolumeCommands_RenderArgumentLists()
    {
        Assert.Equal(["volume", "rm", "shop-db"], DockerCommands.RemoveVolume("shop-db").Arguments);
        Assert.Equal(["ps", "--all", "--filter", "volume=shop-db", "--format", "{{.Names}}"], DockerCommands.VolumeUsers("shop-db").Arguments);
        Assert.Equal(
            ["container", "inspect", "--format", "{{range .Mounts}}{{if eq .Type \"volume\"}}{{println .Name}}{{end}}{{end}}", "shop-accessory-db"],
            DockerCommands.VolumesOf("shop-accessory-db").Arguments);
        Assert.Equal(
            ["ps", "--all", "--no-trunc", "--filter", "label=io.deploymind.accessory-of=shop-pr-7"],
            DockerCommands.ListByLabel("io.deploymind.accessory-of", "shop-pr-7").Arguments.Take(5));
    }

    [Fact]
    public void RemoveVolume_HostileName_IsOneArgument()
    {
        var spec = DockerCommands.RemoveVolume("x;rm -rf /");

        Assert.Equal(["volume", "rm", "x;rm -rf /"], spec.Arguments);
    }
}
