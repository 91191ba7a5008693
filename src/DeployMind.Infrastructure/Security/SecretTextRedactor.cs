using DeployMind.Application.Security;

namespace DeployMind.Infrastructure.Security;

/// <summary>
/// Masks in text every value the secret scanner's rules (<see cref="SecretRuleCatalog"/>) match, as findings' excerpts
/// mask them, and every secret value the job resolved (<see cref="SecretValues"/>).
/// </summary>
internal sealed class SecretTextRedactor : ITextRedactor
{
    private readonly SecretValues? _values;

    public SecretTextRedactor(SecretValues? values = null)
    {
        _values = values;
    }

    public string Redact(string text) => SecretScanner.Redact(_values?.Redact(text) ?? text);
}
