namespace DeployMind.Application.Deploy.Secrets;

/// <summary>The kinds of <c>secrets.sources</c>.</summary>
public enum SecretSourceKind
{
    Environment,
    EnvFile,
    AwsParameter,
    AwsSecretsManager,
    OnePassword,
    Bitwarden,
    Doppler,
}

/// <summary>One place secret values are looked up, checked from <c>secrets.sources</c>.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Location">The env file's path; the parameter name, secret id or 1Password reference with <c>{name}</c>.</param>
public sealed record SecretSource(SecretSourceKind Kind, string? Location = null)
{
    /// <summary>AWS: the region (null: the SDK's default).</summary>
    public string? Region { get; init; }

    /// <summary>AWS: another endpoint URL (null: AWS's).</summary>
    public string? Endpoint { get; init; }

    /// <summary>Doppler: the project and config (null: the CLI's configured ones).</summary>
    public string? Project { get; init; }

    public string? Config { get; init; }

    /// <summary>Bitwarden: the secret id of each name.</summary>
    public IReadOnlyDictionary<string, string> Ids { get; init; } = new Dictionary<string, string>();

    /// <summary>The source's own name for the secret <paramref name="name"/> (the template filled in).</summary>
    public string NameOf(string name) => (Location ?? "{name}").Replace("{name}", name, StringComparison.Ordinal);

    /// <summary>Where <paramref name="name"/> was looked for here, for the missing-secret message.</summary>
    public string Where(string name) => Kind switch
    {
        SecretSourceKind.Environment => $"the deploying process's environment (${name})",
        SecretSourceKind.EnvFile => $"env file {Location}",
        SecretSourceKind.AwsParameter => $"AWS SSM parameter {NameOf(name)}{AwsWhere()}",
        SecretSourceKind.AwsSecretsManager => $"AWS Secrets Manager secret {NameOf(name)}{AwsWhere()}",
        SecretSourceKind.OnePassword => $"1Password {NameOf(name)}",
        SecretSourceKind.Bitwarden => Ids.TryGetValue(name, out var id) ? $"Bitwarden secret {id}" : "Bitwarden (no id for it in bitwarden.ids)",
        SecretSourceKind.Doppler => $"Doppler {Project ?? "(configured project)"}/{Config ?? "(configured config)"}",
        _ => Kind.ToString(),
    };

    private string AwsWhere() =>
        (Region is null ? string.Empty : $" in {Region}") + (Endpoint is null ? string.Empty : $" at {Endpoint}");
}
