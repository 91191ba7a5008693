namespace DeployMind.Application.Pipeline;

/// <summary>
/// A stage agent's explanation of a stage, as recorded with its <see cref="StageAdvice"/> and shown by <c>status</c>.
/// </summary>
/// <param name="Text">What happened and why, in plain language, from the stage's figures.</param>
/// <param name="Recommendations">What to do next (may be empty).</param>
/// <param name="Verdict">"halt" when the agent asked to stop the deployment, else "none" (an agent has no "pass").</param>
/// <param name="Model">The model that wrote it, or "rules" for a rule-based explanation.</param>
public sealed record StageExplanation(string Text, IReadOnlyList<string> Recommendations, string Verdict, string Model)
{
    /// <summary>The model name of a rule-based explanation.</summary>
    public const string Rules = "rules";

    /// <summary>The verdict of an explanation that asks for nothing.</summary>
    public const string NoVerdict = "none";

    /// <summary>The verdict of an explanation that asks to stop the deployment.</summary>
    public const string HaltVerdict = "halt";
}
