using System.Text.RegularExpressions;
using DeployMind.Application.Configuration;
using DeployMind.Domain;

namespace DeployMind.Application.Deploy.Secrets;

/// <summary>
/// The variables an app gets in one environment: the app's <c>env</c> with the environment's added over it (clear values
/// and secret names), and where secret values are looked up.
/// </summary>
public sealed partial record AppEnvironment(
    IReadOnlyDictionary<string, string> Clear, IReadOnlyList<string> Secrets, IReadOnlyList<SecretSource> Sources)
{
    /// <summary>Variables DeployMind sets itself on Docker hosts.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal) { "PORT", "HOST" };

    public bool IsEmpty => Clear.Count == 0 && Secrets.Count == 0;

    /// <summary>The checked variables of environment <paramref name="environment"/>; <paramref name="appPath"/> is the app's folder (env files must be outside it).</summary>
    /// <exception cref="InvalidInputException">A name, value or source is invalid; the message names its key.</exception>
    public static AppEnvironment Of(AppOptions app, string environment, string appPath)
    {
        ArgumentNullException.ThrowIfNull(app);
        var envKey = $"environments.{environment}";
        var configured = app.Environment(environment);
        var clear = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (options, key) in new[] { (app.Env, "env"), (configured.Env, envKey + ".env") })
        {
            foreach (var (name, value) in options?.Clear ?? [])
            {
                clear[Name(name, key + ".clear")] = value ?? string.Empty;
                secrets.Remove(name);
            }

            foreach (var name in options?.Secret ?? [])
            {
                if (options?.Clear?.ContainsKey(name ?? string.Empty) == true)
                {
                    throw new InvalidInputException($"{key}.secret: {name} is in {key}.clear too; a variable is clear or secret, keep it in one of them.");
                }

                secrets.Add(Name(name, key + ".secret"));
                clear.Remove(name!);
            }
        }

        var sourcesKey = configured.Secrets.Sources is { Count: > 0 } ? envKey + ".secrets.sources" : "secrets.sources";
        var sources = (configured.Secrets.Sources is { Count: > 0 } own ? own : app.Secrets.Sources ?? [])
            .Select((s, i) => Source(s, $"{sourcesKey}[{i}]", appPath))
            .ToList();
        if (sources.Count == 0)
        {
            sources.Add(new SecretSource(SecretSourceKind.Environment));
        }

        return new AppEnvironment(clear, [.. secrets], sources);
    }

    private static string Name(string? name, string key)
    {
        if (!EnvVariable().IsMatch(name ?? string.Empty))
        {
            throw new InvalidInputException($"{key}: '{name}' is not an environment variable name (letters, digits and '_', not starting with a digit).");
        }

        if (Reserved.Contains(name!))
        {
            throw new InvalidInputException($"{key}: {name} is set by DeployMind (the port and address the app listens on); choose another name.");
        }

        return name!;
    }

    private static SecretSource Source(SecretSourceOptions? options, string key, string appPath)
    {
        var set = new List<SecretSource>();
        if (options is null)
        {
            throw new InvalidInputException($"{key}: empty; set one of env, envFile, aws, secretsManager, op, bitwarden, doppler.");
        }

        if (options.Env == true)
        {
            set.Add(new SecretSource(SecretSourceKind.Environment));
        }

        if (options.EnvFile is { } file)
        {
            set.Add(new SecretSource(SecretSourceKind.EnvFile, EnvFilePath(file, key + ".envFile", appPath)));
        }

        if (options.Aws is { } aws)
        {
            set.Add(new SecretSource(SecretSourceKind.AwsParameter, Template(aws.Parameter, key + ".aws.parameter"))
            {
                Region = Blank(aws.Region), Endpoint = Endpoint(aws.Endpoint, key + ".aws.endpoint"),
            });
        }

        if (options.SecretsManager is { } manager)
        {
            set.Add(new SecretSource(SecretSourceKind.AwsSecretsManager, Template(manager.SecretId, key + ".secretsManager.secretId"))
            {
                Region = Blank(manager.Region), Endpoint = Endpoint(manager.Endpoint, key + ".secretsManager.endpoint"),
            });
        }

        if (options.Op is { } op)
        {
            var reference = Template(op.Reference, key + ".op.reference");
            if (!reference.StartsWith("op://", StringComparison.Ordinal))
            {
                throw new InvalidInputException($"{key}.op.reference: '{op.Reference}' is not a 1Password secret reference; write it like op://vault/item/{{name}}.");
            }

            set.Add(new SecretSource(SecretSourceKind.OnePassword, reference));
        }

        if (options.Bitwarden is { } bitwarden)
        {
            if (bitwarden.Ids is not { Count: > 0 })
            {
                throw new InvalidInputException($"{key}.bitwarden.ids: give the Bitwarden secret id of each secret (NAME: id).");
            }

            set.Add(new SecretSource(SecretSourceKind.Bitwarden) { Ids = new Dictionary<string, string>(bitwarden.Ids, StringComparer.Ordinal) });
        }

        if (options.Doppler is { } doppler)
        {
            set.Add(new SecretSource(SecretSourceKind.Doppler) { Project = Blank(doppler.Project), Config = Blank(doppler.Config) });
        }

        return set.Count == 1 ? set[0]
            : throw new InvalidInputException($"{key}: set exactly one of env: true, envFile, aws, secretsManager, op, bitwarden, doppler (one source per entry).");
    }

    private static string EnvFilePath(string file, string key, string appPath)
    {
        var path = file.Trim();
        if (path.StartsWith("~/", StringComparison.Ordinal))
        {
            path = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), path[2..]);
        }

        if (!Path.IsPathRooted(path))
        {
            throw new InvalidInputException($"{key}: '{file}' is relative; name an env file outside the repository by an absolute path or ~/.");
        }

        var full = Path.GetFullPath(path);
        var folder = Path.GetFullPath(appPath).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (full.StartsWith(folder, StringComparison.Ordinal))
        {
            throw new InvalidInputException($"{key}: {file} is inside the app's folder, where it could be committed; keep secret files outside the repository (e.g. /etc/deploymind/<app>.env).");
        }

        return full;
    }

    private static string Template(string? text, string key) =>
        string.IsNullOrWhiteSpace(text) ? throw new InvalidInputException($"{key}: empty; write the name, with {{name}} standing for the secret's name.") : text.Trim();

    private static string? Endpoint(string? text, string key) =>
        string.IsNullOrWhiteSpace(text) ? null
        : Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri.ToString().TrimEnd('/')
        : throw new InvalidInputException($"{key}: '{text}' is not an http(s) URL.");

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVariable();
}
