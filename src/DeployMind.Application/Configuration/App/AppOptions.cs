namespace DeployMind.Application.Configuration;

/// <summary>The top level of deploymind.yml that deploys need: the app's name and its environments.</summary>
public sealed class AppOptions
{
    /// <summary>The app's name (containers, nginx site); default: the folder's name.</summary>
    public string? App { get; set; }

    /// <summary>Pull request previews of this app (<c>previews:</c>).</summary>
    public PreviewOptions Previews { get; set; } = new();

    /// <summary>The app's environment variables (<c>env: { clear, secret }</c>); each environment's <c>env</c> is added to them.</summary>
    public EnvOptions Env { get; set; } = new();

    /// <summary>Where secret values are looked up (<c>secrets.sources</c>).</summary>
    public SecretsOptions Secrets { get; set; } = new();

    /// <summary>Long-lived services the app needs (<c>accessories:</c>), by name.</summary>
    public Dictionary<string, AccessoryOptions> Accessories { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The app's process types on Docker hosts (<c>processes:</c>: web, worker, …), by name; a Procfile adds its own.</summary>
    public Dictionary<string, ProcessOptions> Processes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The public names the app is served at on every host (<c>domains: [shop.example.com]</c>), by name on the hosts'
    /// shared HTTP/HTTPS ports (<c>nginx.domains</c>); each environment may set its own. Empty: the app's port only.
    /// </summary>
    public List<string> Domains { get; set; } = [];

    /// <summary>HTTPS for the domains (<c>tls:</c>); each environment may set its own.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Environments by name (production, staging, ...).</summary>
    public Dictionary<string, EnvironmentOptions> Environments { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The environment's settings, or the defaults when it is not configured.</summary>
    public EnvironmentOptions Environment(string name) => Environments.TryGetValue(name, out var configured) ? configured : new EnvironmentOptions();
}
