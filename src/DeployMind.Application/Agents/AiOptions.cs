namespace DeployMind.Application.Agents;

/// <summary>
/// The <c>ai:</c> section (a process setting: the operator's settings, <c>DEPLOYMIND__AI__...</c> or the deploymind.yml the
/// CLI runs with — never a repository's, so a checkout cannot send prompts or keys elsewhere): which OpenAI-compatible
/// model the stage agents ask. Without a key (or, for Ollama and other key-less servers, without an endpoint) the agents
/// give rule-based explanations and the pipeline runs exactly the same.
/// </summary>
public sealed class AiOptions
{
    public const string SectionName = "ai";

    /// <summary>groq (the default), openai, ollama or openai-compatible.</summary>
    public string Provider { get; set; } = "groq";

    /// <summary>The OpenAI-compatible base URL (…/v1); the provider's own when empty. Required for openai-compatible.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model; the provider's default when empty (Groq: llama-3.3-70b-versatile). Required for openai-compatible.</summary>
    public string? Model { get; set; }

    /// <summary>The environment variable holding the API key (never the key itself); the provider's default when empty (GROQ_API_KEY, OPENAI_API_KEY, none for Ollama).</summary>
    public string? ApiKeyVariable { get; set; }

    /// <summary>How long one agent's conversation with the model may take (a duration); then its rule-based explanation stands.</summary>
    public string Timeout { get; set; } = "20s";

    /// <summary>The most tokens (prompt and answer) the agents may spend on one deployment; 0: never ask the model.</summary>
    public int MaxTokensPerDeployment { get; set; } = 20000;

    /// <summary>Ask the model with streaming responses (server-sent events) instead of one response.</summary>
    public bool Stream { get; set; }

    /// <summary>Whether the agents ask a model at all (false: rule-based explanations only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Which Dockerfiles the Build agent may propose changes to before the build: <c>generated</c> (the default: only
    /// DeployMind's templates), <c>all</c> (the app's own Dockerfile too) or <c>off</c>. A proposal is built only when it
    /// lints clean at the environment's <c>scan.blockAt</c>, has fewer lint findings and fetches nothing new; if it does not
    /// build, the original is built.
    /// </summary>
    public string DockerfileProposals { get; set; } = "generated";

    /// <summary>The values <see cref="DockerfileProposals"/> takes.</summary>
    internal static readonly IReadOnlyList<string> ProposalScopes = ["off", "generated", "all"];

    /// <summary>The known providers and their defaults: endpoint, model, key variable (null: none).</summary>
    internal static readonly IReadOnlyDictionary<string, (string? Endpoint, string? Model, string? KeyVariable)> Providers =
        new Dictionary<string, (string?, string?, string?)>(StringComparer.OrdinalIgnoreCase)
        {
            ["groq"] = ("https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", "GROQ_API_KEY"),
            ["openai"] = ("https://api.openai.com/v1", "gpt-4o-mini", "OPENAI_API_KEY"),
            ["ollama"] = ("http://127.0.0.1:11434/v1", "llama3.3:70b", null),
            ["openai-compatible"] = (null, null, null),
        };

    /// <summary>The endpoint to use: <see cref="Endpoint"/> or the provider's.</summary>
    public string? EffectiveEndpoint => string.IsNullOrWhiteSpace(Endpoint) ? Providers.GetValueOrDefault(Provider).Endpoint : Endpoint.Trim();

    /// <summary>The model to use: <see cref="Model"/> or the provider's.</summary>
    public string? EffectiveModel => string.IsNullOrWhiteSpace(Model) ? Providers.GetValueOrDefault(Provider).Model : Model.Trim();

    /// <summary>The key variable to read: <see cref="ApiKeyVariable"/> or the provider's (null: no key is sent).</summary>
    public string? EffectiveKeyVariable => string.IsNullOrWhiteSpace(ApiKeyVariable) ? Providers.GetValueOrDefault(Provider).KeyVariable : ApiKeyVariable.Trim();

    /// <summary>The parsed <see cref="Timeout"/>.</summary>
    public TimeSpan ParseTimeout() => Domain.Duration.Parse(Timeout, "ai.timeout");
}
