using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
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

    private readonly ITextRedactor _redactor;
    private readonly AgentAsker _asker;

    protected StageAgent(IAgentModel? model, ITextRedactor redactor, IOptions<AiOptions> options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(options);
        _redactor = redactor;
        _asker = new AgentAsker(model, options.Value, cache, budgets, time);
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
        if (_asker.Model is not { } model)
        {
            return (rules, null);
        }

        var tools = facts.Tools.Select(t => t with { Invoke = argument => redactor.Redact(t.Invoke(argument)) }).ToList();
        var request = new AgentRequest(
            AgentPrompt.Instructions(Name, Role),
            AgentPrompt.Report(stage, report.Outcome.ToString().ToLowerInvariant(), facts, redactor),
            tools,
            MaxAnswerTokens);
        var (parsed, problem) = await _asker.AskAsync(request, deployment, redactor, cancellationToken);
        return parsed is null
            ? (rules, $"{problem ?? "the model did not answer"}; rule-based explanation")
            : (Of(parsed, model), null);
    }

    private static Answer Of(ParsedAnswer parsed, string model) =>
        new(new StageExplanation(parsed.Explanation, parsed.Recommendations, parsed.HaltReason is null ? StageExplanation.NoVerdict : StageExplanation.HaltVerdict, model), parsed.HaltReason);

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
