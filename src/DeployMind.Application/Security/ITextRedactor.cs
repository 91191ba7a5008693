namespace DeployMind.Application.Security;

/// <summary>
/// Masks secrets in text that is going to be recorded or shown: every value the secret scanner's rules would report
/// (tokens, keys, passwords assigned in text). For text that does not come from a command DeployMind ran with known
/// secrets (those are masked by the runners), such as what a pipeline advisor says.
/// </summary>
public interface ITextRedactor
{
    /// <summary>The text with every secret masked.</summary>
    string Redact(string text);
}
