using DeployMind.Application.Deploy;
using DeployMind.Domain;
using DeployMind.Infrastructure.Processes;

namespace DeployMind.Infrastructure.Hosts;

internal sealed partial class DeployHostFactory
{
    private static ICommandRunner CreateSshRunner(HostOptions options) =>
        throw new InvalidInputException($"Host {options.Name}: SSH hosts ({options.Ssh}) are not available in this build.");
}
