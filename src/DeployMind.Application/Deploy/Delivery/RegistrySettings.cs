using System.Text.RegularExpressions;
using DeployMind.Application.Build;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Delivery;

/// <summary>A registry as configured (<see cref="RegistryOptions"/>), checked: where images go and how to log in there.</summary>
/// <param name="Server">The registry's host[:port], as <c>docker login</c> takes it.</param>
/// <param name="Path">The path under it images go to (e.g. <c>team</c>); empty for none.</param>
/// <param name="Username">The user, or null for no login (unless <paramref name="Ecr"/>).</param>
/// <param name="PasswordVariable">The variable holding the password, or null.</param>
/// <param name="PasswordFile">The file holding the password, or null.</param>
/// <param name="Ecr">Amazon ECR: the login comes from the ECR API.</param>
/// <param name="Region">ECR's region, or null for the AWS chain's.</param>
/// <param name="Key">The configuration key it came from (for messages).</param>
public sealed partial record RegistrySettings(
    string Server, string Path, string? Username, string? PasswordVariable, string? PasswordFile, bool Ecr, string? Region, string Key)
{
    /// <summary>The word that turns a registry off in an environment.</summary>
    public const string None = "none";

    /// <summary>Whether DeployMind logs in before pushing and pulling.</summary>
    public bool LogsIn => Ecr || Username is not null;

    /// <summary>The reference the hosts run for a locally built <paramref name="image"/>: <c>&lt;server&gt;[/&lt;path&gt;]/&lt;name&gt;:&lt;tag&gt;</c>.</summary>
    public string ImageFor(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var slash = image.LastIndexOf('/');
        var nameAndTag = slash < 0 ? image : image[(slash + 1)..];
        return Server + "/" + (Path.Length == 0 ? string.Empty : Path + "/") + nameAndTag;
    }

    /// <summary>
    /// The registry that <paramref name="options"/> describe, or null when they name none (or <c>none</c>).
    /// </summary>
    /// <exception cref="InvalidInputException">A value is wrong; the message names its key under <paramref name="key"/> and what to write.</exception>
    public static RegistrySettings? Parse(RegistryOptions? options, string key)
    {
        var text = options?.Server?.Trim();
        if (options is null || string.IsNullOrEmpty(text) || text.Equals(None, StringComparison.OrdinalIgnoreCase))
        {
            if (options is not null && string.IsNullOrEmpty(text) && (options.Username ?? options.PasswordVariable ?? options.PasswordFile) is not null)
            {
                throw new InvalidInputException($"{key}.server is missing: name the registry (e.g. registry.example.com or 127.0.0.1:5000/team) the credentials are for.");
            }

            return null;
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new InvalidInputException($"{key}.server '{text}' has a scheme; write the registry as docker does, without one (registry.example.com:5000/team).");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var server = slash < 0 ? text : text[..slash];
        var path = slash < 0 ? string.Empty : text[(slash + 1)..].Trim('/');
        if (!ServerPattern().IsMatch(server))
        {
            throw new InvalidInputException($"{key}.server '{text}': '{server}' is not a registry host[:port] (e.g. registry.example.com or 127.0.0.1:5000).");
        }

        if (path.Length > 0 && !PathPattern().IsMatch(path))
        {
            throw new InvalidInputException($"{key}.server '{text}': the path '{path}' must be lower-case letters, digits, '.', '_', '-' and '/'.");
        }

        var ecrMatch = EcrPattern().Match(server);
        var ecr = options.Ecr ?? ecrMatch.Success;
        var username = string.IsNullOrWhiteSpace(options.Username) ? null : options.Username.Trim();
        var variable = string.IsNullOrWhiteSpace(options.PasswordVariable) ? null : options.PasswordVariable.Trim();
        var file = string.IsNullOrWhiteSpace(options.PasswordFile) ? null : options.PasswordFile.Trim();
        if (ecr && (username ?? variable ?? file) is not null)
        {
            throw new InvalidInputException(
                $"{key}: {server} is Amazon ECR, whose login comes from the ECR API; remove username, passwordVariable and passwordFile (or set ecr: false).");
        }

        if (variable is not null && file is not null)
        {
            throw new InvalidInputException($"{key}: set passwordVariable or passwordFile, not both.");
        }

        if (username is null && (variable ?? file) is not null)
        {
            throw new InvalidInputException($"{key}.username is missing: a password needs the user it belongs to.");
        }

        if (username is not null && variable is null && file is null)
        {
            throw new InvalidInputException(
                $"{key}: the user {username} has no password; set passwordVariable (an environment variable's name) or passwordFile. A password is never written in deploymind.yml.");
        }

        if (variable is not null && !VariablePattern().IsMatch(variable))
        {
            throw new InvalidInputException($"{key}.passwordVariable '{variable}' is not a variable name (letters, digits and '_', e.g. REGISTRY_PASSWORD).");
        }

        var region = string.IsNullOrWhiteSpace(options.Region) ? (ecrMatch.Success ? ecrMatch.Groups["region"].Value : null) : options.Region.Trim();
        return new RegistrySettings(server.ToLowerInvariant(), path, username, variable, file, ecr, region, key);
    }

    /// <summary>Never a credential: the server, path and how it logs in.</summary>
    public override string ToString() => Server + (Path.Length == 0 ? string.Empty : "/" + Path);

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")]
    private static partial Regex ServerPattern();

    [GeneratedRegex(@"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();

    [GeneratedRegex(@"^[0-9]{12}\.dkr\.ecr(-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$", RegexOptions.IgnoreCase)]
    private static partial Regex EcrPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();
}

/// <summary>How a release's image reaches the hosts.</summary>
/// <param name="Source">The image as built on this machine; the release runs <see cref="ReleaseSpec.Image"/> (its registry name when there is a registry).</param>
/// <param name="Registry">The registry it is pushed to and pulled from; null: streamed to the hosts that lack it.</param>
/// <param name="Concurrency">How many hosts receive it at once.</param>
public sealed record ImageDeliverySettings(string? Source, RegistrySettings? Registry, int Concurrency)
{
    /// <summary>No registry, the release's own image, three hosts at once.</summary>
    public static ImageDeliverySettings Default { get; } = new(null, null, 3);
}

/// <summary>Logs in to registries: a password from a variable or file, or a token from Amazon ECR's API (renewed before it expires).</summary>
public interface IRegistryLogins
{
    /// <summary>The login for <paramref name="registry"/>, or null when it needs none.</summary>
    /// <exception cref="DeployMindException">The password cannot be read, or ECR refused; the message says which key or variable and what to do.</exception>
    Task<Hosts.RegistryLogin?> LoginAsync(RegistrySettings registry, CancellationToken cancellationToken);
}
