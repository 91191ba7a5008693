using DeployMind.Application.Agents;
using DeployMind.Application.Configuration;
using DeployMind.UnitTests.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DeployMind.UnitTests.Agents;

/// <summary>The <c>ai:</c> section: defaults per provider, validation naming the key, and the configuration check knowing it.</summary>
public sealed class AiOptionsTests
{
    [Fact]
    public void Defaults_GroqWithALlama70BModelAndGroqApiKey()
    {
        var options = new AiOptions();

        Assert.Equal(("groq", "https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", "GROQ_API_KEY"), (options.Provider, options.EffectiveEndpoint, options.EffectiveModel, options.EffectiveKeyVariable));
        Assert.True(new AiOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("OPENAI_API_KEY", new AiOptions { Provider = "openai" }.EffectiveKeyVariable);
        Assert.Null(new AiOptions { Provider = "ollama" }.EffectiveKeyVariable);
        Assert.Equal("MY_KEY", new AiOptions { Provider = "ollama", ApiKeyVariable = "MY_KEY" }.EffectiveKeyVariable);
    }

    [Fact]
    public void Validate_BadValues_EachNamesItsKeyAndNeverEchoesAKey()
    {
        var options = new AiOptions { Provider = "bard", Endpoint = "api.groq.com", ApiKeyVariable = "gsk_live-0123-4567", Timeout = "soon", MaxTokensPerDeployment = -1 };

        var failures = new AiOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
            [
                "ai.provider: 'bard' is not a provider; write groq, openai, ollama or openai-compatible.",
                "ai.endpoint: 'api.groq.com' is not an http(s) URL; write the OpenAI-compatible base URL, e.g. https://api.groq.com/openai/v1.",
                "ai.apiKeyVariable: must name an environment variable (letters, digits, _), e.g. GROQ_API_KEY; the key itself never goes in the configuration.",
                "ai.timeout: 'soon' is not a positive duration; write it like 20s or 1m.",
                "ai.maxTokensPerDeployment: -1 must be 0 (never ask the model) or more.",
            ],
            failures);
        Assert.DoesNotContain(failures, f => f.Contains("gsk_live", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OpenAiCompatibleWithoutEndpointOrModel_SaysBothAreRequired()
    {
        var failures = new AiOptionsValidator().Validate(null, new AiOptions { Provider = "openai-compatible" }).Failures!;

        Assert.Equal(
            [
                "ai.endpoint: required with ai.provider openai-compatible; write the server's base URL, e.g. http://127.0.0.1:8000/v1.",
                "ai.model: required with ai.provider openai-compatible; write the model's name as the server knows it.",
            ],
            failures);
    }

    [Fact]
    public void Bind_FromConfiguration_EveryKeyAndTheCheckKnowsThem()
    {
        var values = new Dictionary<string, string?>
        {
            ["ai:provider"] = "ollama",
            ["ai:endpoint"] = "http://127.0.0.1:11434/v1",
            ["ai:model"] = "llama3.1:70b",
            ["ai:timeout"] = "45s",
            ["ai:maxTokensPerDeployment"] = "5000",
            ["ai:stream"] = "true",
            ["ai:enabled"] = "true",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddConfigurationSection<AiOptions>(AiOptions.SectionName);
        services.AddSingleton<IValidateOptions<AiOptions>, AiOptionsValidator>();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<AiOptions>>().Value;
        var locator = new FakeConfigurationLocator().Add("ai:modell", ConfigurationLocation.InFile("deploymind.yml", 4, 3));
        var checker = new ConfigurationChecker(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ai:modell"] = "x", ["ai:stream"] = "often" }).Build(), locator, provider.GetServices<BoundSection>());

        Assert.Equal(("ollama", "llama3.1:70b", TimeSpan.FromSeconds(45), 5000, true), (options.Provider, options.EffectiveModel, options.ParseTimeout(), options.MaxTokensPerDeployment, options.Stream));
        Assert.Equal("deploymind.yml:4:3: ai.modell: not a known setting, so it is ignored; did you mean model?", Assert.Single(checker.UnknownKeys()).ToString());
        Assert.Equal(["ai.stream: 'often' must be true or false."], checker.InvalidValues().Select(p => p.ToString()));
    }
}
