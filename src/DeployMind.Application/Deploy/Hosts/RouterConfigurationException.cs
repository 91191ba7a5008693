using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Hosts;

/// <summary>The traffic router rejected a configuration (e.g. <c>nginx -t</c> failed); the working one is still in place.</summary>
public sealed class RouterConfigurationException : DeployMindException
{
    public RouterConfigurationException(string message)
        : base(message)
    {
    }

    public RouterConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RouterConfigurationException()
    {
    }
}
