using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Agents;

/// <summary>
/// A stage agent: an <see cref="IPipelineAdvisor"/> that explains its stage. It always has a rule-based explanation from
/// the stage's typed report; when a model is configured (<see cref="AiOptions"/>) and the deployment's token budget allows,
/// it asks the model with that report (redacted, repository text delimited as data) and read-only tools, within
/// <c>ai.timeout</c>. A model that is down, slow, over budget, unreadable or asks for a tool that does not exist leaves the
/// rule-based explanation in place and a note saying so. Its only power is the orchestrator's: notes, or a halt of a stage
/// that passed (never a pass of one that failed).
/// </summary>
internal abstract class StageAgent : IPipelineAdvisor
{
    /// <summary>The longest answer asked for, in tokens.</summary>
    public const int MaxAnswerTokens = 800;

    private readonly IAgentModel? _model;
    private readonly ITextRedactor _redactor;
    private readonly AiOptions _options;
    private readonly AgentAnswerCache _cache;
    private readonly AgentBudgets _budgets;
    private readonly TimeProvider _time;

    protected StageAgent(IAgentModel? model, ITextRedactor redactor, IOptions<AiOptions> options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(options);
        _model = model;
        _redactor = redactor;
        _options = options.Value;
        _cache = cache;
        _budgets = budgets;
        _time = time;
    }

    public abstract string Name { get; }

    /// <summary>What the agent is, for its instructions.</summary>
    protected abstract string Role { get; }

    /// <summary>The facts of <paramref name="report"/>, or null when this agent does not read that stage.</summary>
    protected abstract AgentFacts? Read(PipelineStage stage, StageReport report, PipelineContext context);

    public async Task<AdvisorVerdict> AdviseAsync(PipelineStage stage, StageReport report, PipelineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(context);
        if (Read(stage, report, context) is not { } facts)
        {
            return AdvisorVerdict.None;
        }

        // Where the code came from is the repository's text too (a branch can be named anything).
        var deployment = context.Deployment;
        facts = facts with
        {
            Untrusted = new Dictionary<string, object?>(facts.Untrusted)
            {
                ["deployment"] = new Dictionary<string, object?>
                {
                    ["app"] = deployment.App,
                    ["environment"] = deployment.Environment,
                    ["repository"] = deployment.Repository,
                    ["branch"] = deployment.Branch,
                    ["commit"] = deployment.Commit,
                    ["pullRequest"] = deployment.PullRequest,
                },
            },
        };
        var redactor = new PromptRedactor(_redactor, FindingValues.Collect(context));
        var (explanation, problem) = await AskAsync(stage, report, facts, redactor, context.Deployment.Id, cancellationToken);
        var notes = new List<string> { Line(explanation) };
        if (problem is not null)
        {
            notes.Add(problem);
        }

        var verdict = explanation.Verdict == StageExplanation.HaltVerdict && explanation.HaltReason is { } reason
            ? AdvisorVerdict.Halt(reason, notes)
            : AdvisorVerdict.Note(notes);
        return verdict with { Explanation = explanation.Value };
    }

    /// <summary>The model's explanation, or the rules' with the reason the model's is not used (null when it simply is not configured).</summary>
    private async Task<(Answer Explanation, string? Problem)> AskAsync(
        PipelineStage stage, StageReport report, AgentFacts facts, ITextRedactor redactor, Guid deployment, CancellationToken cancellationToken)
    {
        var rules = new Answer(facts.Rules, null);
        if (!_options.Enabled || _model?.Model is not { Length: > 0 } model)
        {
            return (rules, null);
        }

        var tools = facts.Tools.Select(t => t with { Invoke = argument => redactor.Redact(t.Invoke(argument)) }).ToList();
        var request = new AgentRequest(
            AgentPrompt.Instructions(Name, Role),
            AgentPrompt.Report(stage, report.Outcome.ToString().ToLowerInvariant(), facts, redactor),
            tools,
            MaxAnswerTokens);
        var key = AgentAnswerCache.KeyOf(model, request);
        if (_cache.TryGet(key, out var cached))
        {
            return (Of(cached, model), null);
        }

        var remaining = _options.MaxTokensPerDeployment - _budgets.Spent(deployment);
        var estimate = Estimate(request);
        if (estimate + MaxAnswerTokens > remaining)
        {
            return (rules, $"the model was not asked: this deployment's token budget ({_options.MaxTokensPerDeployment}, ai.maxTokensPerDeployment) has {Math.Max(0, remaining)} left, the question needs about {estimate + MaxAnswerTokens}; rule-based explanation");
        }

        var limit = _options.ParseTimeout();
        using var timeout = new CancellationTokenSource(limit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        AgentAnswer answer;
        try
        {
            answer = await _model.AskAsync(request, linked.Token).WaitAsync(limit, _time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            _budgets.Spend(deployment, estimate);
            return (rules, $"the model ({model}) did not answer within {Duration.Format(limit)} (ai.timeout); rule-based explanation");
        }
        catch (Exception ex) when (ex is AgentModelException or HttpRequestException or InvalidOperationException or System.Text.Json.JsonException)
        {
            return (rules, $"the model ({model}) could not be asked ({redactor.Redact(ex.Message)}); rule-based explanation");
        }

        _budgets.Spend(deployment, answer.TokensUsed > 0 ? answer.TokensUsed : estimate + Estimate(answer.Text));
        if (answer.UnknownTools.Count > 0)
        {
            // A model reaching for tools that do not exist is following something other than its instructions: not used.
            return (rules, $"the model ({model}) asked for tools that do not exist ({string.Join(", ", answer.UnknownTools.Distinct(StringComparer.Ordinal).Take(5))}); nothing was run and its answer is not used; rule-based explanation");
        }

        if (AgentAnswerParser.Parse(answer.Text) is not { } parsed)
        {
            return (rules, $"the model ({model}) did not answer with the JSON asked for; rule-based explanation");
        }

        _cache.Add(key, parsed);
        return (Of(parsed, model), null);
    }

    private static Answer Of(ParsedAnswer parsed, string model) =>
        new(new StageExplanation(parsed.Explanation, parsed.Recommendations, parsed.HaltReason is null ? StageExplanation.NoVerdict : StageExplanation.HaltVerdict, model), parsed.HaltReason);

    /// <summary>About four characters a token: enough to keep a budget, the server's count replaces it after.</summary>
    internal static int Estimate(AgentRequest request) =>
        Estimate(request.Instructions) + Estimate(request.Report) + request.Tools.Sum(t => Estimate(t.Name) + Estimate(t.Description));

    internal static int Estimate(string? text) => string.IsNullOrEmpty(text) ? 0 : (text.Length / 4) + 1;

    private static string Line(Answer answer)
    {
        var explanation = answer.Value;
        var text = $"{explanation.Text} ({(explanation.Model == StageExplanation.Rules ? "rule-based" : explanation.Model)})";
        return explanation.Recommendations.Count == 0 ? text : $"{text} Recommendations: {string.Join("; ", explanation.Recommendations)}";
    }

    private sealed record Answer(StageExplanation Value, string? HaltReason)
    {
        public string Verdict => Value.Verdict;
    }

    /// <summary>The records' redaction, then the values the secret scanner found in this checkout.</summary>
    private sealed class PromptRedactor(ITextRedactor records, SecretValues found) : ITextRedactor
    {
        public string Redact(string text) => records.Redact(found.Redact(text ?? string.Empty));
    }
}
