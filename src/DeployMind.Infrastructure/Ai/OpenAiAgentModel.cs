using System.ClientModel;
using System.ClientModel.Primitives;
using DeployMind.Application.Agents;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace DeployMind.Infrastructure.Ai;

/// <summary>
/// <see cref="IAgentModel"/> over any OpenAI-compatible chat completions endpoint (Groq, OpenAI, Ollama, vLLM...): OpenAI's
/// client with the configured endpoint, as a Microsoft.Extensions.AI <see cref="IChatClient"/> with function invocation.
/// The key is read from the environment variable <c>ai.apiKeyVariable</c> names, never from the configuration; without it
/// (or with <c>ai.enabled: false</c>) <see cref="Model"/> is null and the agents answer from rules. A call to a tool the
/// agent did not offer ends the conversation (nothing runs) and is reported in <see cref="AgentAnswer.UnknownTools"/>.
/// </summary>
internal sealed class OpenAiAgentModel : IAgentModel
{
    /// <summary>Round trips with tool calls per question.</summary>
    public const int MaxToolRounds = 4;

    private readonly AiOptions _options;
    private readonly IChatClient? _client;

    public OpenAiAgentModel(IOptions<AiOptions> options)
        : this(options, Environment.GetEnvironmentVariable)
    {
    }

    internal OpenAiAgentModel(IOptions<AiOptions> options, Func<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(variables);
        _options = options.Value;
        var endpoint = _options.EffectiveEndpoint;
        var model = _options.EffectiveModel;
        var keyVariable = _options.EffectiveKeyVariable;
        var key = keyVariable is null ? null : variables(keyVariable);
        if (!_options.Enabled || _options.MaxTokensPerDeployment <= 0 || endpoint is null || model is null || (keyVariable is not null && string.IsNullOrWhiteSpace(key)))
        {
            return;
        }

        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint),
            NetworkTimeout = _options.ParseTimeout(),

            // The agent's timeout bounds the question; a retry would only spend it.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };

        // Key-less servers (Ollama) ignore the header; the client needs one.
        var chat = new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(string.IsNullOrWhiteSpace(key) ? "none" : key), clientOptions);
        _client = new ChatClientBuilder(chat.AsIChatClient())
            .UseFunctionInvocation(configure: f =>
            {
                f.MaximumIterationsPerRequest = MaxToolRounds;
                f.MaximumConsecutiveErrorsPerRequest = 1;
                f.AllowConcurrentInvocation = false;
                f.IncludeDetailedErrors = false;
                f.TerminateOnUnknownCalls = true;
            })
            .Build();
        Model = model;
    }

    public string? Model { get; }

    public async Task<AgentAnswer> AskAsync(AgentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_client is null)
        {
            throw new AgentModelException("no model is configured (ai: needs a key or an endpoint)");
        }

        var tools = request.Tools.Select(t => new AgentToolFunction(t)).ToList();
        var known = tools.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var options = new ChatOptions
        {
            MaxOutputTokens = request.MaxOutputTokens,
            Temperature = 0,
            Tools = [.. tools],
            ToolMode = tools.Count > 0 ? ChatToolMode.Auto : null,
        };
        List<ChatMessage> messages = [new(ChatRole.System, request.Instructions), new(ChatRole.User, request.Report)];
        ChatResponse response;
        try
        {
            response = _options.Stream
                ? await _client.GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken)
                : await _client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or InvalidOperationException or System.Text.Json.JsonException or IOException or ArgumentException or FormatException)
        {
            throw new AgentModelException(Describe(ex), ex);
        }

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name).ToList();
        var tokens = response.Usage?.TotalTokenCount ?? ((response.Usage?.InputTokenCount ?? 0) + (response.Usage?.OutputTokenCount ?? 0));
        return new AgentAnswer(
            response.Text,
            (int)Math.Min(int.MaxValue, tokens),
            [.. calls.Where(known.Contains)],
            [.. calls.Where(c => !known.Contains(c))]);
    }

    /// <summary>One line about a failed call, without the request (the server's status and message only).</summary>
    private static string Describe(Exception ex) => ex switch
    {
        ClientResultException { Status: > 0 } result => $"HTTP {result.Status}",
        HttpRequestException http => http.HttpRequestError == HttpRequestError.Unknown ? "the endpoint could not be reached" : $"the endpoint could not be reached: {http.HttpRequestError}",
        ClientResultException => "the endpoint could not be reached",
        _ => $"unreadable response: {ex.GetType().Name}",
    };
}
