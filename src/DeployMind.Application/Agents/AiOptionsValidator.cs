using DeployMind.Domain;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Agents;

/// <summary>Validates <see cref="AiOptions"/> at start; every failure names its key.</summary>
internal sealed class AiOptionsValidator : IValidateOptions<AiOptions>
{
    public ValidateOptionsResult Validate(string? name, AiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!AiOptions.Providers.ContainsKey(options.Provider ?? string.Empty))
        {
            failures.Add($"ai.provider: '{options.Provider}' is not a provider; write groq, openai, ollama or openai-compatible.");
        }
        else if (string.Equals(options.Provider, "openai-compatible", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrWhiteSpace(options.Endpoint))
            {
                failures.Add("ai.endpoint: required with ai.provider openai-compatible; write the server's base URL, e.g. http://127.0.0.1:8000/v1.");
            }

            if (string.IsNullOrWhiteSpace(options.Model))
            {
                failures.Add("ai.model: required with ai.provider openai-compatible; write the model's name as the server knows it.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Endpoint)
            && !(Uri.TryCreate(options.Endpoint.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
        {
            failures.Add($"ai.endpoint: '{options.Endpoint}' is not an http(s) URL; write the OpenAI-compatible base URL, e.g. https://api.groq.com/openai/v1.");
        }

        if (options.Model is { } model && model.Length > 0 && (string.IsNullOrWhiteSpace(model) || model.Any(char.IsControl)))
        {
            failures.Add("ai.model: must be a model name, e.g. llama-3.3-70b-versatile.");
        }

        if (!string.IsNullOrEmpty(options.ApiKeyVariable) && !options.ApiKeyVariable.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            // Never echo the value: someone may have written the key itself here.
            failures.Add("ai.apiKeyVariable: must name an environment variable (letters, digits, _), e.g. GROQ_API_KEY; the key itself never goes in the configuration.");
        }

        if (!Duration.TryParse(options.Timeout, out var timeout) || timeout <= TimeSpan.Zero)
        {
            failures.Add($"ai.timeout: '{options.Timeout}' is not a positive duration; write it like 20s or 1m.");
        }

        if (options.MaxTokensPerDeployment < 0)
        {
            failures.Add($"ai.maxTokensPerDeployment: {options.MaxTokensPerDeployment} must be 0 (never ask the model) or more.");
        }

        if (!AiOptions.ProposalScopes.Contains(options.DockerfileProposals?.Trim() ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add($"ai.dockerfileProposals: '{options.DockerfileProposals}' is not a choice; write generated (DeployMind's templates only), all (the app's own Dockerfile too) or off.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
