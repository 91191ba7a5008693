using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// Reads <c>docker build</c> output line by line, for both the classic builder ("Step 3/9 : RUN npm ci",
/// " ---> Using cache") and BuildKit's plain progress ("#7 [build 3/5] RUN npm ci", "#7 CACHED").
/// </summary>
internal sealed partial class BuildOutputParser
{
    private readonly List<string> _warnings = [];
    private readonly List<string> _errors = [];

    public int? Step { get; private set; }

    public int? TotalSteps { get; private set; }

    /// <summary>The instruction of the step being run (the last step started).</summary>
    public string? Instruction { get; private set; }

    public int CacheHits { get; private set; }

    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Lines in which the builder reported an error.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Feeds one output line; returns true when it started a new step.</summary>
    public bool Accept(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var trimmed = line.Trim();
        var classic = ClassicStep().Match(trimmed);
        if (classic.Success)
        {
            Step = int.Parse(classic.Groups["n"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            TotalSteps = int.Parse(classic.Groups["total"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            Instruction = classic.Groups["instruction"].Value.Trim();
            return true;
        }

        var buildKit = BuildKitStep().Match(trimmed);
        if (buildKit.Success)
        {
            var step = int.Parse(buildKit.Groups["n"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            var total = int.Parse(buildKit.Groups["total"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
            var instruction = buildKit.Groups["instruction"].Value.Trim();
            var isNew = instruction != Instruction;
            (Step, TotalSteps, Instruction) = (step, total, instruction);
            return isNew;
        }

        if (trimmed == "---> Using cache" || BuildKitCached().IsMatch(trimmed))
        {
            CacheHits++;
        }
        else if (trimmed.StartsWith("[WARNING]", StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("WARNING:", StringComparison.Ordinal)
            || trimmed.StartsWith("DEPRECATED:", StringComparison.Ordinal)
            || trimmed.StartsWith("SECURITY WARNING", StringComparison.Ordinal))
        {
            _warnings.Add(trimmed);
        }
        else if (trimmed.StartsWith("The command '", StringComparison.Ordinal)
            || trimmed.StartsWith("ERROR:", StringComparison.Ordinal)
            || trimmed.StartsWith("error ", StringComparison.Ordinal)
            || trimmed.StartsWith("Error response from daemon", StringComparison.Ordinal)
            || trimmed.StartsWith("COPY failed", StringComparison.Ordinal)
            || trimmed.StartsWith("ADD failed", StringComparison.Ordinal)
            || trimmed.StartsWith("failed to", StringComparison.Ordinal)
            || trimmed.StartsWith("unable to prepare context", StringComparison.Ordinal)
            || trimmed.StartsWith("Cannot connect to the Docker daemon", StringComparison.Ordinal)
            || trimmed.StartsWith("Dockerfile parse error", StringComparison.Ordinal)
            || BuildKitError().IsMatch(trimmed))
        {
            _errors.Add(trimmed);
        }

        return false;
    }

    [GeneratedRegex(@"^Step (?<n>\d+)/(?<total>\d+) : (?<instruction>.+)$")]
    private static partial Regex ClassicStep();

    [GeneratedRegex(@"^#\d+ \[(?:[^\]\s]+ )?(?<n>\d+)/(?<total>\d+)\] (?<instruction>.+)$")]
    private static partial Regex BuildKitStep();

    [GeneratedRegex(@"^#\d+ CACHED$")]
    private static partial Regex BuildKitCached();

    [GeneratedRegex(@"^#\d+ ERROR: ")]
    private static partial Regex BuildKitError();
}
