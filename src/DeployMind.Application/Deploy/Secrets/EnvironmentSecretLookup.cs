namespace DeployMind.Application.Deploy.Secrets;

/// <summary><c>env: true</c>: the deploying process's environment variables.</summary>
internal sealed class EnvironmentSecretLookup : ISecretLookup
{
    public bool Reads(SecretSourceKind kind) => kind == SecretSourceKind.Environment;

    public Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                found[name] = value;
            }
        }

        return Task.FromResult(new SecretLookupResult(found));
    }
}
