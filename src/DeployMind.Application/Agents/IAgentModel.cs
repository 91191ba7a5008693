namespace DeployMind.Application.Agents;

/// <summary>
/// The language model the stage agents ask (an <c>IChatClient</c> over an OpenAI-compatible endpoint in Infrastructure).
/// What it is sent is already redacted; the tools it may call are read-only functions over a stage's report.
/// </summary>
public interface IAgentModel
{
    /// <summary>The model's name as recorded ("llama-3.3-70b-versatile"), or null when no model is configured (no key, disabled): then the agents answer from rules.</summary>
    string? Model { get; }

    /// <summary>Asks the model once (with as many tool calls as it needs, bounded), within <paramref name="cancellationToken"/>.</summary>
    /// <exception cref="AgentModelException">The model could not be asked or did not answer usably (down, refused, no text).</exception>
    Task<AgentAnswer> AskAsync(AgentRequest request, CancellationToken cancellationToken);
}

/// <summary>One question to the model.</summary>
/// <param name="Instructions">The system message: trusted, DeployMind's own words.</param>
/// <param name="Report">The user message: the stage's figures and, delimited as data, the repository-derived text (redacted).</param>
/// <param name="Tools">Read-only functions the model may call (their results redacted by the agent before they are returned).</param>
/// <param name="MaxOutputTokens">The most tokens the answer may take.</param>
public sealed record AgentRequest(string Instructions, string Report, IReadOnlyList<AgentTool> Tools, int MaxOutputTokens);

/// <summary>A read-only function over a stage's report the model may call.</summary>
/// <param name="Name">Its name (letters, digits, _).</param>
/// <param name="Description">What it returns.</param>
/// <param name="Argument">The one optional string argument's name and meaning ("rule": a rule id), or null for none.</param>
/// <param name="Invoke">Reads and returns text (already redacted); never runs anything.</param>
public sealed record AgentTool(string Name, string Description, (string Name, string Description)? Argument, Func<string?, string> Invoke);

/// <summary>What the model answered.</summary>
/// <param name="Text">The final text.</param>
/// <param name="TokensUsed">Prompt and answer tokens over every round trip (as the server counted, else estimated).</param>
/// <param name="ToolCalls">The tools it called, in order.</param>
/// <param name="UnknownTools">Tools it asked for that do not exist (never run; the model is told so).</param>
public sealed record AgentAnswer(string Text, int TokensUsed, IReadOnlyList<string> ToolCalls, IReadOnlyList<string> UnknownTools);

/// <summary>The model could not be asked or gave no usable answer; the agent's rule-based explanation stands.</summary>
public sealed class AgentModelException : Domain.DeployMindException
{
    public AgentModelException()
        : base("The model did not answer.")
    {
    }

    public AgentModelException(string message)
        : base(message)
    {
    }

    public AgentModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
