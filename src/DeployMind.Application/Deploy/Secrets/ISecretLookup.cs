namespace DeployMind.Application.Deploy.Secrets;

/// <summary>Reads secret values from one kind of source (the process's environment, an env file, AWS, a secret manager's CLI).</summary>
public interface ISecretLookup
{
    /// <summary>Whether this lookup reads sources of <paramref name="kind"/>.</summary>
    bool Reads(SecretSourceKind kind);

    /// <summary>
    /// The values <paramref name="source"/> has for <paramref name="names"/> (names it does not have are left out), and a
    /// note on why it had none when it could not be read at all (a CLI not installed, access denied), else null.
    /// The values never reach a log.
    /// </summary>
    Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken);
}

/// <summary>What one source had.</summary>
public sealed record SecretLookupResult(IReadOnlyDictionary<string, string> Found, string? Problem = null)
{
    public static SecretLookupResult Unavailable(string problem) => new(new Dictionary<string, string>(), problem);
}
