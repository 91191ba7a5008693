using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeployMind.Application.Agents;

/// <summary>
/// The model's readable answers by the SHA-256 of what was sent (model, instructions and the redacted report): a retried
/// job whose stage report is the same is answered from here and spends no tokens. In the process (bounded) and, when the
/// process has a database, in it (<see cref="IAgentAnswerStore"/>, table <c>agent_answers</c>), so another worker or a
/// restarted one does not pay again. Only readable answers are kept (a timeout or garbage is asked again). A store that
/// fails is passed over: the question is asked.
/// </summary>
internal sealed class AgentAnswerCache
{
    /// <summary>The most answers kept in the process; beyond it the cache starts over.</summary>
    public const int Capacity = 512;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, ParsedAnswer> _answers = new(StringComparer.Ordinal);
    private readonly IAgentAnswerStore? _store;
    private readonly ILogger<AgentAnswerCache> _logger;

    public AgentAnswerCache()
        : this(null, NullLogger<AgentAnswerCache>.Instance)
    {
    }

    public AgentAnswerCache(IAgentAnswerStore? store, ILogger<AgentAnswerCache> logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>The key of a request: the hash of the model, the instructions and the (redacted) report.</summary>
    public static string KeyOf(string model, AgentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}\n{request.Instructions}\n{request.Report}"));
        return Convert.ToHexString(bytes);
    }

    public async Task<ParsedAnswer?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (_answers.TryGetValue(key, out var answer))
        {
            return answer;
        }

        if (_store is null)
        {
            return null;
        }

        try
        {
            if (await _store.GetAsync(key, cancellationToken) is { } text && JsonSerializer.Deserialize<ParsedAnswer>(text, Json) is { Explanation.Length: > 0 } stored)
            {
                Remember(key, stored);
                return stored;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "The stored answers of the stage agents could not be read; the model is asked.");
        }

        return null;
    }

    public async Task AddAsync(string key, ParsedAnswer answer, CancellationToken cancellationToken)
    {
        Remember(key, answer);
        if (_store is null)
        {
            return;
        }

        try
        {
            await _store.SaveAsync(key, JsonSerializer.Serialize(answer, Json), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "An answer of the stage agents could not be stored; it is kept in this process only.");
        }
    }

    private void Remember(string key, ParsedAnswer answer)
    {
        if (_answers.Count >= Capacity)
        {
            _answers.Clear();
        }

        _answers[key] = answer;
    }
}
