namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>accessories.&lt;name&gt;:</c> a long-lived service the app needs (a database, a cache), run beside it on one host of
/// each environment: started once, kept across the app's deploys, its data on volumes, its address given to the app.
/// </summary>
public sealed class AccessoryOptions
{
    /// <summary>The image (required), e.g. <c>postgres:16</c>, or one of a private registry.</summary>
    public string? Image { get; set; }

    /// <summary>The port it listens on (the host's network): given to the app as <c>&lt;NAME&gt;_PORT</c>, and waited for at boot.</summary>
    public int? Port { get; set; }

    /// <summary>Its environment variables: clear values and secrets, as the app's <c>env</c>.</summary>
    public EnvOptions? Env { get; set; }

    /// <summary>Named volumes and bind mounts (<c>name:/path</c>, <c>/host/path:/path[:ro]</c>), kept when it is rebooted or removed.</summary>
    public List<string>? Volumes { get; set; }

    /// <summary>The environment's host it runs on (a host's name); default: the environment's first host.</summary>
    public string? Host { get; set; }

    /// <summary>Arguments after the image (its CMD replaced), e.g. <c>[redis-server, --appendonly, "yes"]</c>.</summary>
    public List<string>? Command { get; set; }
}
