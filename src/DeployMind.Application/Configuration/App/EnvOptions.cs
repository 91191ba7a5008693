namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>env:</c> the app's environment variables, at the top of deploymind.yml and per environment (whose entries are
/// added to the app's and override them): clear values written here, and the names of secrets resolved when a deploy runs.
/// </summary>
public sealed class EnvOptions
{
    /// <summary>Variables whose values may be written in the repository: NAME → value.</summary>
    public Dictionary<string, string>? Clear { get; set; }

    /// <summary>Names of secret variables; their values come from <c>secrets.sources</c>, never from this file.</summary>
    public List<string>? Secret { get; set; }
}
