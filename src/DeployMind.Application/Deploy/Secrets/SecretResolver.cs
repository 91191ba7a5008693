using DeployMind.Application.Security;

namespace DeployMind.Application.Deploy.Secrets;

/// <summary>
/// Resolves an app's variables when a deploy runs: the clear values, and each secret from the first source (in the
/// configured order) that has it. Every source is read once per deploy, for all the names still missing. Resolved
/// values are registered with <see cref="SecretValues"/>, so logs, records and reports mask them.
/// </summary>
public sealed class SecretResolver
{
    private readonly IReadOnlyList<ISecretLookup> _lookups;
    private readonly SecretValues _values;

    public SecretResolver(IEnumerable<ISecretLookup> lookups, SecretValues values)
    {
        _lookups = [.. lookups];
        _values = values;
    }

    /// <summary>Every variable of <paramref name="environment"/> with its value (clear ones as written, secrets as resolved).</summary>
    /// <exception cref="MissingSecretException">A secret is in no source; the message names each missing secret and every place it was looked for.</exception>
    public async Task<IReadOnlyDictionary<string, string>> ResolveAsync(AppEnvironment environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var result = new SortedDictionary<string, string>(environment.Clear.ToDictionary(), StringComparer.Ordinal);
        var missing = new List<string>(environment.Secrets);
        var problems = new Dictionary<SecretSource, string>();
        foreach (var source in environment.Sources)
        {
            if (missing.Count == 0)
            {
                break;
            }

            var lookup = _lookups.FirstOrDefault(l => l.Reads(source.Kind))
                ?? throw new InvalidOperationException($"No secret lookup is registered for {source.Kind}.");
            var found = await lookup.LookupAsync(source, missing, cancellationToken);
            if (found.Problem is not null)
            {
                problems[source] = found.Problem;
            }

            foreach (var (name, value) in found.Found)
            {
                if (!missing.Remove(name))
                {
                    continue;
                }

                if (value.Contains('\n', StringComparison.Ordinal) || value.Contains('\r', StringComparison.Ordinal))
                {
                    throw new MissingSecretException($"Secret {name} from {source.Where(name)} spans several lines; an env file holds one line per variable. Store it on one line (e.g. base64).");
                }

                _values.Add(value);
                result[name] = value;
            }
        }

        if (missing.Count > 0)
        {
            var lines = missing.Select(name =>
                $"{name}: looked in " + string.Join(", ", environment.Sources.Select(s => s.Where(name) + (problems.TryGetValue(s, out var p) ? $" ({p})" : string.Empty))));
            throw new MissingSecretException(
                $"{(missing.Count == 1 ? "A secret is" : $"{missing.Count} secrets are")} missing, so nothing was deployed: {string.Join("; ", lines)}.");
        }

        return result;
    }
}
