namespace DeployMind.Application.Deploy.Secrets;

/// <summary>
/// <c>envFile: PATH</c>: NAME=value lines; blank lines and lines starting with # are skipped, <c>export </c> before a name
/// is allowed, and a value in matching single or double quotes loses them.
/// </summary>
internal sealed class EnvFileSecretLookup : ISecretLookup
{
    public bool Reads(SecretSourceKind kind) => kind == SecretSourceKind.EnvFile;

    public async Task<SecretLookupResult> LookupAsync(SecretSource source, IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(names);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(source.Location!, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return SecretLookupResult.Unavailable(ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message);
        }

        var values = Parse(text);
        return new SecretLookupResult(names.Where(values.ContainsKey).ToDictionary(n => n, n => values[n], StringComparer.Ordinal));
    }

    /// <summary>The variables of an env file's text.</summary>
    internal static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = line[(equals + 1)..];
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..equals].Trim()] = value;
        }

        return values;
    }
}
