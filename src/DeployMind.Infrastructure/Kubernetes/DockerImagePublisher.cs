using DeployMind.Application.Deploy.Kubernetes;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Kubernetes;

/// <summary>Tags a built image under a registry prefix and pushes it with the docker CLI (commands as data, run by the local runner).</summary>
internal sealed class DockerImagePublisher : IImagePublisher
{
    private readonly ICommandRunner _runner;

    public DockerImagePublisher(ICommandRunner runner)
    {
        _runner = runner;
    }

    /// <summary>"shop:1a2b" under "registry.example.com/team" → "registry.example.com/team/shop:1a2b".</summary>
    public static string Target(string image, string registry) => KubernetesNames.PulledImage(image, registry);

    /// <summary><c>docker tag IMAGE TARGET</c>.</summary>
    public static CommandSpec Tag(string image, string target) => CommandSpec.Create("docker", "tag", image, target);

    /// <summary><c>docker push TARGET</c>.</summary>
    public static CommandSpec Push(string target) => CommandSpec.Create("docker", "push", target);

    public async Task<string> PublishAsync(string image, string registry, CancellationToken cancellationToken)
    {
        var target = Target(image, registry);
        foreach (var command in new[] { Tag(image, target), Push(target) })
        {
            var result = await _runner.RunAsync(command, null, cancellationToken);
            if (!result.Succeeded)
            {
                var output = string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError;
                throw new DeployMindException($"`{command}` failed: {output.Trim()}. The cluster pulls from target.kubernetes.registry; log in to it (`docker login`) and check the prefix.");
            }
        }

        return target;
    }
}
