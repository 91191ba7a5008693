namespace DeployMind.Infrastructure.Nginx;

/// <summary>How DeployMind uses nginx on a host.</summary>
public enum NginxMode
{
    /// <summary>DeployMind runs its own nginx instance in a prefix directory it owns (no root needed).</summary>
    Managed,

    /// <summary>DeployMind drops site files into the conf.d directory of an nginx the operator runs.</summary>
    ConfD,
}
