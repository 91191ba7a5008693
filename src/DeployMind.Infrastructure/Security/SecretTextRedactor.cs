using DeployMind.Application.Security;

namespace DeployMind.Infrastructure.Security;

/// <summary>Masks in text every value the secret scanner's rules (<see cref="SecretRuleCatalog"/>) match, as findings' excerpts mask them.</summary>
internal sealed class SecretTextRedactor : ITextRedactor
{
    public string Redact(string text) => SecretScanner.Redact(text);
}
