using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>
/// DM018-DM020: ENV/ARG names that look like credentials. Messages and fixes name the key only, never the value.
/// </summary>
internal static partial class SecretChecks
{
    private static readonly string[] SecretSuffixes = ["token", "secret", "apikey", "credentials", "credential", "accesskey", "privatekey"];
    private static readonly HashSet<string> SecretWords = new(StringComparer.Ordinal) { "secrets", "tokens", "passwd", "password", "passwords" };
    private static readonly HashSet<string> KeyQualifiers = new(StringComparer.Ordinal) { "api", "access", "private", "secret" };

    /// <summary>A last name part that makes the variable a pointer to a secret, not the secret (DB_PASSWORD_FILE=/run/secrets/db).</summary>
    private static readonly HashSet<string> NonSecretSuffixes = new(StringComparer.Ordinal)
    {
        "file", "path", "dir", "url", "uri", "endpoint", "location", "host", "port", "name", "type", "length", "ttl", "expiry", "enabled", "mode",
    };

    public static void Check(LintSession session)
    {
        var instructions = session.Dockerfile.GlobalArgs.Concat(session.Dockerfile.Stages.SelectMany(s => s.Instructions));
        foreach (var instruction in instructions)
        {
            var isEnv = instruction.Is("ENV");
            if (!isEnv && !instruction.Is("ARG"))
            {
                continue;
            }

            foreach (var pair in DockerArguments.ParseKeyValues(instruction, session.Escape))
            {
                if (!LooksLikeSecret(pair.Key))
                {
                    continue;
                }

                if (IsPathToSecret(pair.Value))
                {
                    continue;
                }

                var hasValue = !string.IsNullOrEmpty(pair.Value);
                var secretId = pair.Key.ToLowerInvariant();
                if (isEnv && hasValue)
                {
                    session.Report(
                        LintRuleCatalog.SecretInEnv,
                        instruction.Line,
                        $"ENV {pair.Key} on line {instruction.Line} puts a credential into the image config; anyone who can pull the image can read it with docker inspect.",
                        $"Remove ENV {pair.Key} from the Dockerfile and provide it when the container starts (docker run -e {pair.Key}, a Kubernetes Secret or your platform's secret store); if the build needs it, use RUN --mount=type=secret,id={secretId},env={pair.Key} <command> with docker build --secret id={secretId},env={pair.Key}.");
                }
                else if (!isEnv && hasValue)
                {
                    session.Report(
                        LintRuleCatalog.SecretInArgDefault,
                        instruction.Line,
                        $"ARG {pair.Key} on line {instruction.Line} has a literal default that looks like a credential; it is committed with the Dockerfile and recorded in the image history.",
                        $"Delete the ARG {pair.Key} default (and revoke that credential), then pass it as a build secret: RUN --mount=type=secret,id={secretId},env={pair.Key} <command> with docker build --secret id={secretId},env={pair.Key}.");
                }
                else if (!isEnv)
                {
                    session.Report(
                        LintRuleCatalog.SecretBuildArg,
                        instruction.Line,
                        $"ARG {pair.Key} on line {instruction.Line} passes a credential as a build argument; its value is recorded in the image history of every RUN that uses it.",
                        $"Replace ARG {pair.Key} with a build secret: RUN --mount=type=secret,id={secretId},env={pair.Key} <command> and docker build --secret id={secretId},env={pair.Key}.");
                }
            }
        }
    }

    /// <summary>An absolute file path (GOOGLE_APPLICATION_CREDENTIALS=/secrets/key.json) points at a secret mounted at run time.</summary>
    private static bool IsPathToSecret(string? value) =>
        value is not null && value.StartsWith('/') && !value.Any(char.IsWhiteSpace);

    /// <summary>The variable name reads like a credential: DB_PASSWORD, apiKey, GITHUB_TOKEN, AWS_SECRET_ACCESS_KEY, ...</summary>
    public static bool LooksLikeSecret(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var words = WordRegex().Matches(key).Select(m => m.Value.ToLowerInvariant()).ToList();
        if (words.Count == 0 || NonSecretSuffixes.Contains(words[^1]))
        {
            return false;
        }

        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (SecretWords.Contains(word) || word.Contains("password", StringComparison.Ordinal) || word.Contains("passwd", StringComparison.Ordinal)
                || SecretSuffixes.Any(s => word.EndsWith(s, StringComparison.Ordinal)))
            {
                return true;
            }

            if (word == "key" && i > 0 && KeyQualifiers.Contains(words[i - 1]))
            {
                return true;
            }
        }

        return false;
    }

    // Name parts: split on '_', '-', '.', and camelCase boundaries (apiKey -> api, key).
    [GeneratedRegex(@"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")]
    private static partial Regex WordRegex();
}
