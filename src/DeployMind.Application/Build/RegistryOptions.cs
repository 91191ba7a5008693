namespace DeployMind.Application.Build;

/// <summary>
/// <c>build.registry</c> (and <c>environments.&lt;name&gt;.build.registry</c> where an environment differs): the registry built
/// images are pushed to and every host pulls from. Credentials come from a variable or a file, never from the YAML.
/// </summary>
public sealed class RegistryOptions
{
    /// <summary>
    /// The registry and an optional path: <c>registry.example.com</c>, <c>127.0.0.1:5000/team</c>,
    /// <c>123456789012.dkr.ecr.eu-west-1.amazonaws.com</c>. Images go to <c>&lt;server&gt;/&lt;app&gt;:&lt;tag&gt;</c>. In an
    /// environment, <c>none</c> turns the app's registry off there (images are streamed to the hosts).
    /// </summary>
    public string? Server { get; set; }

    /// <summary>The user to log in as (not a secret); empty with no password: no login (an open registry, or the hosts' own).</summary>
    public string? Username { get; set; }

    /// <summary>The environment variable holding the password or token (e.g. REGISTRY_PASSWORD).</summary>
    public string? PasswordVariable { get; set; }

    /// <summary>A file holding the password or token (its first line), e.g. a mounted secret.</summary>
    public string? PasswordFile { get; set; }

    /// <summary>
    /// Amazon ECR: the login comes from the ECR API (GetAuthorizationToken, with the AWS credential chain), renewed before it
    /// expires. Unset: on when the server is <c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com</c>.
    /// </summary>
    public bool? Ecr { get; set; }

    /// <summary>ECR: the region; unset: the one in the server's name, else the AWS chain's.</summary>
    public string? Region { get; set; }
}

/// <summary><c>environments.&lt;name&gt;.build</c>: what an environment builds differently (its registry).</summary>
public sealed class EnvironmentBuildOptions
{
    /// <summary>The registry for this environment, replacing <c>build.registry</c>; <c>server: none</c> for none.</summary>
    public RegistryOptions? Registry { get; set; }
}
