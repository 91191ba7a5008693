using DeployMind.Application.Security;
using DeployMind.Domain;

namespace DeployMind.Application.Agents;

/// <summary>
/// Asks the model one question on behalf of an agent, under every rule the agents share: only when a model is configured
/// and enabled; answered from the <see cref="AgentAnswerCache"/> when the same question was answered before; only when
/// the token budget allows; within <c>ai.timeout</c>; an answer that calls tools that do not exist or is not the JSON
/// asked for is not used. Whatever goes wrong is returned as a one-line problem (redacted), never thrown, except the
/// caller's own cancellation.
/// </summary>
internal sealed class AgentAsker
{
    private readonly IAgentModel? _model;
    private readonly AiOptions _options;
    private readonly AgentAnswerCache _cache;
    private readonly AgentBudgets _budgets;
    private readonly TimeProvider _time;

    public AgentAsker(IAgentModel? model, AiOptions options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _options = options;
        _cache = cache;
        _budgets = budgets;
        _time = time;
    }

    /// <summary>The model that would be asked, or null when none is (no key, disabled).</summary>
    public string? Model => _options.Enabled && _model?.Model is { Length: > 0 } model ? model : null;

    /// <summary>
    /// Asks <paramref name="request"/>, spending from <paramref name="budget"/>'s count (a deployment's id), whose limit is
    /// <c>ai.maxTokensPerDeployment</c>. A null answer and a null problem mean no model is configured.
    /// </summary>
    public async Task<(ParsedAnswer? Answer, string? Problem)> AskAsync(AgentRequest request, Guid budget, ITextRedactor redactor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(redactor);
        if (Model is not { } model)
        {
            return (null, null);
        }

        var key = AgentAnswerCache.KeyOf(model, request);
        if (await _cache.GetAsync(key, cancellationToken) is { } cached)
        {
            return (cached, null);
        }

        var remaining = _options.MaxTokensPerDeployment - _budgets.Spent(budget);
        var estimate = Estimate(request);
        if (estimate + request.MaxOutputTokens > remaining)
        {
            return (null, $"the model was not asked: this deployment's token budget ({_options.MaxTokensPerDeployment}, ai.maxTokensPerDeployment) has {Math.Max(0, remaining)} left, the question needs about {estimate + request.MaxOutputTokens}");
        }

        var limit = _options.ParseTimeout();
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AgentAnswer answer;
        try
        {
            answer = await _model!.AskAsync(request, linked.Token).WaitAsync(limit, _time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            _budgets.Spend(budget, estimate);
            return (null, $"the model ({model}) did not answer within {Duration.Format(limit)} (ai.timeout)");
        }
        catch (Exception ex) when (ex is AgentModelException or HttpRequestException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return (null, $"the model ({model}) could not be asked ({redactor.Redact(ex.Message)})");
        }

        _budgets.Spend(budget, answer.TokensUsed > 0 ? answer.TokensUsed : estimate + Estimate(answer.Text));
        if (answer.UnknownTools.Count > 0)
        {
            // A model reaching for tools that do not exist is following something other than its instructions: not used.
            return (null, $"the model ({model}) asked for tools that do not exist ({string.Join(", ", answer.UnknownTools.Distinct(StringComparer.Ordinal).Take(5))}); nothing was run and its answer is not used");
        }

        if (AgentAnswerParser.Parse(answer.Text) is not { } parsed)
        {
            return (null, $"the model ({model}) did not answer with the JSON asked for");
        }

        await _cache.AddAsync(key, parsed, cancellationToken);
        return (parsed, null);
    }

    /// <summary>Keeps <paramref name="answer"/> as the answer to <paramref name="request"/> (in place of the model's).</summary>
    public async Task RememberAsync(AgentRequest request, ParsedAnswer answer, CancellationToken cancellationToken)
    {
        if (Model is { } model)
        {
            await _cache.AddAsync(AgentAnswerCache.KeyOf(model, request), answer, cancellationToken);
        }
    }

    /// <summary>About four characters a token: enough to keep a budget, the server's count replaces it after.</summary>
    internal static int Estimate(AgentRequest request) =>
        Estimate(request.Instructions) + Estimate(request.Report) + request.Tools.Sum(t => Estimate(t.Name) + Estimate(t.Description));

    internal static int Estimate(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length / 4) + 1;
}
