using DeployMind.Domain;
using DeployMind.Infrastructure.Kubernetes;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.UnitTests.Kubernetes;

public sealed class DockerImagePublisherTests
{
    [Fact]
    public void Commands_TagThenPush_RenderTheirArgumentLists()
    {
        var target = DockerImagePublisher.Target("shop:1a2b", "registry.example.com/team");

        Assert.Equal("registry.example.com/team/shop:1a2b", target);
        Assert.Equal(["tag", "shop:1a2b", target], DockerImagePublisher.Tag("shop:1a2b", target).Arguments);
        Assert.Equal(["push", target], DockerImagePublisher.Push(target).Arguments);
        Assert.Equal("docker", DockerImagePublisher.Push(target).Program);
    }

    [Fact]
    public async Task PublishAsync_BothSucceed_RunsTagThenPushAndReturnsThePushedName()
    {
        var runner = new ScriptedRunner(0, 0);

        var pushed = await new DockerImagePublisher(runner).PublishAsync("shop:1a2b", "registry.example.com:5000/team", CancellationToken.None);

        Assert.Equal("registry.example.com:5000/team/shop:1a2b", pushed);
        Assert.Equal(
            ["docker tag shop:1a2b registry.example.com:5000/team/shop:1a2b", "docker push registry.example.com:5000/team/shop:1a2b"],
            runner.Calls.Select(c => c.ToString()));
    }

    [Fact]
    public async Task PublishAsync_PushRefused_SaysWhatToDo()
    {
        var runner = new ScriptedRunner(0, 1);

        var error = await Assert.ThrowsAsync<DeployMindException>(() => new DockerImagePublisher(runner).PublishAsync("shop:1", "registry.example.com/team", CancellationToken.None));

        Assert.Contains("denied: requested access to the resource is denied", error.Message, StringComparison.Ordinal);
        Assert.Contains("docker login", error.Message, StringComparison.Ordinal);
    }

    private sealed class ScriptedRunner(params int[] exitCodes) : ICommandRunner
    {
        public List<CommandSpec> Calls { get; } = [];

        public string Name => "scripted";

        public Task<CommandResult> RunAsync(CommandSpec command, Action<OutputLine>? onOutput, CancellationToken cancellationToken)
        {
            Calls.Add(command);
            var code = exitCodes[Calls.Count - 1];
            return Task.FromResult(new CommandResult(command.ToString(), code, string.Empty, code == 0 ? string.Empty : "denied: requested access to the resource is denied", TimeSpan.Zero));
        }
    }
}
