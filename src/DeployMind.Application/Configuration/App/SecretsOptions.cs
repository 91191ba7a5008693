namespace DeployMind.Application.Configuration;

/// <summary>
/// <c>secrets:</c> where the values of <c>env.secret</c> are looked up when a deploy runs, in order (the first source
/// that has a secret gives it). An environment's <c>secrets.sources</c> replace the app's; none at all means the
/// deploying process's environment only.
/// </summary>
public sealed class SecretsOptions
{
    public List<SecretSourceOptions>? Sources { get; set; }
}

/// <summary>One source of <c>secrets.sources</c>; set exactly one of its keys.</summary>
public sealed class SecretSourceOptions
{
    /// <summary><c>env: true</c>: the deploying process's environment variables.</summary>
    public bool? Env { get; set; }

    /// <summary>An env file (NAME=value lines) outside the app's folder: an absolute path or one starting with ~/.</summary>
    public string? EnvFile { get; set; }

    /// <summary>AWS Systems Manager Parameter Store.</summary>
    public AwsParameterSourceOptions? Aws { get; set; }

    /// <summary>AWS Secrets Manager (read through Parameter Store's /aws/reference/secretsmanager/ parameters).</summary>
    public AwsSecretsManagerSourceOptions? SecretsManager { get; set; }

    /// <summary>1Password, through its CLI: <c>op read REFERENCE</c>.</summary>
    public OnePasswordSourceOptions? Op { get; set; }

    /// <summary>Bitwarden Secrets Manager, through its CLI: <c>bws secret get ID</c>.</summary>
    public BitwardenSourceOptions? Bitwarden { get; set; }

    /// <summary>Doppler, through its CLI: <c>doppler secrets get NAME --plain</c>.</summary>
    public DopplerSourceOptions? Doppler { get; set; }
}

/// <summary><c>aws:</c> a Parameter Store parameter per secret (read with decryption).</summary>
public sealed class AwsParameterSourceOptions
{
    /// <summary>The region; default the SDK's (AWS_REGION, the profile).</summary>
    public string? Region { get; set; }

    /// <summary>Another endpoint (a VPC endpoint, a test server); default AWS's.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The parameter's name, <c>{name}</c> standing for the secret's name; default <c>{name}</c>.</summary>
    public string Parameter { get; set; } = "{name}";
}

/// <summary><c>secretsManager:</c> a Secrets Manager secret per secret (its SecretString).</summary>
public sealed class AwsSecretsManagerSourceOptions
{
    public string? Region { get; set; }

    public string? Endpoint { get; set; }

    /// <summary>The secret's id, <c>{name}</c> standing for the secret's name; default <c>{name}</c>.</summary>
    public string SecretId { get; set; } = "{name}";
}

/// <summary><c>op:</c> a 1Password secret reference per secret.</summary>
public sealed class OnePasswordSourceOptions
{
    /// <summary>The reference, <c>{name}</c> standing for the secret's name, e.g. <c>op://Production/shop/{name}</c>.</summary>
    public string? Reference { get; set; }
}

/// <summary><c>bitwarden:</c> Bitwarden Secrets Manager secrets by id.</summary>
public sealed class BitwardenSourceOptions
{
    /// <summary>The id of each secret: NAME → the Bitwarden secret's id (a secret without one is not looked up here).</summary>
    public Dictionary<string, string>? Ids { get; set; }
}

/// <summary><c>doppler:</c> a Doppler project's config (default: the CLI's configured one).</summary>
public sealed class DopplerSourceOptions
{
    public string? Project { get; set; }

    public string? Config { get; set; }
}
