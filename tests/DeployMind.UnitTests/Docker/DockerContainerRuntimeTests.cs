using DeployMind.Application.Deploy.Hosts;
using DeployMind.Infrastructure.Docker;

namespace DeployMind.UnitTests.Docker;

public sealed class DockerContainerRuntimeTests
{
    [Fact]
    public void Run_Spec_RendersHostNetworkPortHostEnvAndLabels()
    {
        var spec = new ContainerSpec("shop-r7", "shop:3f2a", 41234)
        {
            Environment = new Dictionary<string, string> { ["DATABASE_URL"] = "postgres://u:hunter2pw@db/shop" },
            Labels = new Dictionary<string, string> { [ContainerLabels.App] = "shop", [ContainerLabels.Release] = "r7" },
        };

        var command = DockerCommands.Run(spec);

        Assert.Equal(
            ["run", "--detach", "--name", "shop-r7", "--network", "host", "--restart", "unless-stopped",
             "--env", "PORT=41234", "--env", "HOST=127.0.0.1", "--env", "DATABASE_URL=postgres://u:hunter2pw@db/shop",
             "--label", "io.deploymind.app=shop", "--label", "io.deploymind.release=r7", "shop:3f2a"],
            command.Arguments);
        Assert.DoesNotContain("hunter2pw", command.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ListByApp_App_FiltersOnTheAppLabel()
    {
        Assert.Equal(
            ["ps", "--all", "--no-trunc", "--filter", "label=io.deploymind.app=shop", "--format", "{{.Names}}"],
            DockerCommands.ListByApp("shop").Arguments);
    }

    [Fact]
    public void ParseInspect_RunningAndExited_ReadsStateAndLabels()
    {
        const string Json = """
            [
              { "Name": "/shop-r7", "Config": { "Image": "shop:3f2a", "Labels": { "io.deploymind.app": "shop", "io.deploymind.release": "r7" } },
                "State": { "Running": true, "Restarting": false, "ExitCode": 0 } },
              { "Name": "/shop-r6", "Config": { "Image": "shop:1b2c", "Labels": null },
                "State": { "Running": false, "Restarting": false, "ExitCode": 137 } },
              { "Name": "/shop-r8", "Config": { "Image": "shop:9d9d", "Labels": {} },
                "State": { "Running": true, "Restarting": true, "ExitCode": 1 } }
            ]
            """;

        var states = DockerContainerRuntime.ParseInspect(Json);

        Assert.Equal(3, states.Count);
        Assert.Equal(("shop-r7", true, (int?)null, "r7"), (states[0].Name, states[0].Running, states[0].ExitCode, states[0].Label(ContainerLabels.Release)));
        Assert.Equal(("shop-r6", false, (int?)137), (states[1].Name, states[1].Running, states[1].ExitCode));
        Assert.False(states[2].Running);
        Assert.Equal(1, states[2].ExitCode);
    }
}
