using System.Text.Json;

namespace DeployMind.Application.Agents;

/// <summary>
/// Reads the model's answer: the one JSON object asked for (<c>explanation</c>, <c>recommendations</c>, <c>halt</c>,
/// <c>haltReason</c>), tolerating text or a code fence around it. Anything else is garbage: the rule-based explanation stands.
/// Fields that are not asked for ("approve", "verdict": "pass") are ignored: there is nothing they could change.
/// </summary>
internal static class AgentAnswerParser
{
    public const int MaxRecommendations = 5;

    /// <summary>The most figures an answer may cite.</summary>
    public const int MaxFigures = 12;

    /// <summary>The parsed answer, or null when <paramref name="text"/> is not the object asked for.</summary>
    public static ParsedAnswer? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var start = text.IndexOf('{', StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text.AsMemory(start, end - start + 1));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("explanation", out var explanation)
                || explanation.ValueKind != JsonValueKind.String
                || string.IsNullOrWhiteSpace(explanation.GetString()))
            {
                return null;
            }

            var recommendations = new List<string>();
            if (root.TryGetProperty("recommendations", out var list))
            {
                if (list.ValueKind != JsonValueKind.Array)
                {
                    return null;
                }

                recommendations.AddRange(list.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!).Where(r => !string.IsNullOrWhiteSpace(r)).Take(MaxRecommendations));
            }

            var halt = root.TryGetProperty("halt", out var h) && h.ValueKind == JsonValueKind.True;
            var reason = root.TryGetProperty("haltReason", out var r2) && r2.ValueKind == JsonValueKind.String ? r2.GetString() : null;
            if (halt && string.IsNullOrWhiteSpace(reason))
            {
                // A halt must say why; one that does not is not an answer to act on.
                return null;
            }

            var figures = root.TryGetProperty("figures", out var f) && f.ValueKind == JsonValueKind.Array
                ? f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!.Trim()).Where(x => x.Length > 0).Take(MaxFigures).ToList()
                : null;
            var dockerfile = root.TryGetProperty("dockerfile", out var file) && file.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(file.GetString())
                ? file.GetString()
                : null;
            return new ParsedAnswer(explanation.GetString()!.Trim(), recommendations, halt ? reason!.Trim() : null, figures) { Dockerfile = dockerfile };
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A readable answer.</summary>
/// <param name="Explanation">The explanation.</param>
/// <param name="Recommendations">At most five.</param>
/// <param name="HaltReason">Why to stop, or null.</param>
/// <param name="Figures">The figures the answer rests on, when asked for (<c>deploymind explain</c>).</param>
internal sealed record ParsedAnswer(string Explanation, IReadOnlyList<string> Recommendations, string? HaltReason, IReadOnlyList<string>? Figures = null)
{
    /// <summary>A proposed Dockerfile, when asked for (the Build agent's optimizer).</summary>
    public string? Dockerfile { get; init; }

    /// <summary>Set in place of a proposal that was tried and failed ("did not build (…)"): not asked for or tried again.</summary>
    public string? Refusal { get; init; }
}
