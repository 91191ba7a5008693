using System.Globalization;
using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Docker;

/// <summary>
/// Reads <c>docker build</c> output line by line, for both the classic builder ("Step 3/9 : RUN npm ci",
/// " ---> Using cache") and BuildKit's plain progress ("#7 [build 3/5] RUN npm ci", "#7 CACHED", "#7 0.412 output",
/// "#7 ERROR: ..."). BuildKit numbers its steps per stage and runs stages in parallel, so its lines are tied to their
/// step by the "#7" vertex number: the failing step is the one whose vertex reported the error, not the last one started.
/// </summary>
internal sealed partial class BuildOutputParser
{
    private readonly List<string> _warnings = [];
    private readonly List<string> _errors = [];
    private readonly Dictionary<int, BuildKitStep> _steps = [];
    private readonly HashSet<int> _cached = [];
    private BuildKitStep? _failed;

    public int? Step { get; private set; }

    public int? TotalSteps { get; private set; }

    /// <summary>BuildKit's name of the step's stage ("build", "stage-1"); null for the classic builder.</summary>
    public string? Stage { get; private set; }

    /// <summary>The instruction of the step being run (the last step started), or of the step that failed.</summary>
    public string? Instruction { get; private set; }

    /// <summary>Steps answered from the cache (BuildKit: each CACHED step once, FROM not counted, as with the classic builder).</summary>
    public int CacheHits { get; private set; }

    /// <summary>The output was BuildKit's.</summary>
    public bool IsBuildKit { get; private set; }

    /// <summary>BuildKit's vertex number of the step that failed, when one did.</summary>
    public int? FailedVertex => _failed?.Vertex;

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
            Step = int.Parse(classic.Groups["n"].ValueSpan, CultureInfo.InvariantCulture);
            TotalSteps = int.Parse(classic.Groups["total"].ValueSpan, CultureInfo.InvariantCulture);
            Instruction = classic.Groups["instruction"].Value.Trim();
            return true;
        }

        var header = BuildKitHeader().Match(trimmed);
        if (header.Success)
        {
            IsBuildKit = true;
            return AcceptBuildKitHeader(header);
        }

        var content = trimmed;
        var vertexLine = BuildKitVertexLine().Match(trimmed);
        if (vertexLine.Success)
        {
            IsBuildKit = true;
            var vertex = int.Parse(vertexLine.Groups["v"].ValueSpan, CultureInfo.InvariantCulture);
            var rest = vertexLine.Groups["rest"].Value;
            if (rest == "CACHED")
            {
                if (_steps.TryGetValue(vertex, out var step) && !step.IsFrom && _cached.Add(vertex))
                {
                    CacheHits++;
                }

                return false;
            }

            if (rest.StartsWith("ERROR: ", StringComparison.Ordinal))
            {
                _errors.Add(rest["ERROR: ".Length..]);
                if (_failed is null && _steps.TryGetValue(vertex, out var failed))
                {
                    _failed = failed;
                    (Step, TotalSteps, Stage, Instruction) = (failed.Step, failed.Total, failed.Stage, failed.Instruction);
                }

                return false;
            }

            // A step's own output ("#7 0.412 npm WARN ..."): warnings count, errors are the step's business until its ERROR line.
            var output = BuildKitOutput().Match(rest);
            if (!output.Success)
            {
                return false; // DONE, sha256 digests, transfer progress
            }

            content = output.Groups["text"].Value.Trim();
            if (IsWarning(content))
            {
                _warnings.Add(content);
            }

            return false;
        }

        if (trimmed == "---> Using cache")
        {
            CacheHits++;
        }
        else if (IsWarning(content))
        {
            _warnings.Add(content);
        }
        else if (trimmed.StartsWith("The command '", StringComparison.Ordinal)
            || trimmed.StartsWith("ERROR:", StringComparison.Ordinal)
            || trimmed.StartsWith("error ", StringComparison.Ordinal)
            || trimmed.StartsWith("error: ", StringComparison.Ordinal)
            || trimmed.StartsWith("Error response from daemon", StringComparison.Ordinal)
            || trimmed.StartsWith("COPY failed", StringComparison.Ordinal)
            || trimmed.StartsWith("ADD failed", StringComparison.Ordinal)
            || trimmed.StartsWith("failed to", StringComparison.Ordinal)
            || trimmed.StartsWith("unable to prepare context", StringComparison.Ordinal)
            || trimmed.StartsWith("Cannot connect to the Docker daemon", StringComparison.Ordinal)
            || trimmed.StartsWith("Dockerfile parse error", StringComparison.Ordinal))
        {
            // BuildKit repeats the failing step's error after its summary; the "#7 ERROR:" line said it already.
            if (_failed is null || !_errors.Contains(trimmed))
            {
                _errors.Add(trimmed);
            }
        }

        return false;
    }

    /// <summary>
    /// The output lines of the step that failed (BuildKit), without their "#7 0.412" prefix; empty for the classic builder,
    /// whose failing step's output is what follows its "Step n/m" line.
    /// </summary>
    public IReadOnlyList<string> FailedStepOutput(IEnumerable<string> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_failed is null)
        {
            return [];
        }

        var prefix = $"#{_failed.Vertex} ";
        var lines = new List<string>();
        foreach (var line in log)
        {
            var trimmed = line.Trim();
            if (!trimmed.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var output = BuildKitOutput().Match(trimmed[prefix.Length..]);
            if (output.Success)
            {
                lines.Add(output.Groups["text"].Value);
            }
        }

        return lines;
    }

    private bool AcceptBuildKitHeader(Match header)
    {
        var vertex = int.Parse(header.Groups["v"].ValueSpan, CultureInfo.InvariantCulture);
        var label = header.Groups["label"].Value;
        var instruction = header.Groups["instruction"].Value.Trim();
        BuildKitStep step;
        var numbered = StepLabel().Match(label);
        if (numbered.Success)
        {
            step = new BuildKitStep(
                vertex,
                numbered.Groups["stage"].Success ? numbered.Groups["stage"].Value : null,
                int.Parse(numbered.Groups["n"].ValueSpan, CultureInfo.InvariantCulture),
                int.Parse(numbered.Groups["total"].ValueSpan, CultureInfo.InvariantCulture),
                instruction);
        }
        else if (label == "internal" && instruction.StartsWith("load metadata for ", StringComparison.Ordinal))
        {
            // Resolving a base image: a pull that fails here fails the FROM, before any numbered step.
            step = new BuildKitStep(vertex, null, null, null, "FROM " + instruction["load metadata for ".Length..]);
        }
        else
        {
            return false; // [internal] load build definition / context, [auth] ...
        }

        var isNew = _steps.TryAdd(vertex, step);
        if (isNew && step.Step is not null && _failed is null)
        {
            (Step, TotalSteps, Stage, Instruction) = (step.Step, step.Total, step.Stage, step.Instruction);
        }

        return isNew && step.Step is not null;
    }

    private static bool IsWarning(string text) =>
        text.StartsWith("[WARNING]", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("WARNING:", StringComparison.Ordinal)
        || text.StartsWith("DEPRECATED:", StringComparison.Ordinal)
        || text.StartsWith("SECURITY WARNING", StringComparison.Ordinal);

    private sealed record BuildKitStep(int Vertex, string? Stage, int? Step, int? Total, string Instruction)
    {
        public bool IsFrom => Instruction.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^Step (?<n>\d+)/(?<total>\d+) : (?<instruction>.+)$")]
    private static partial Regex ClassicStep();

    // "#7 [build 3/5] RUN npm ci", "#3 [internal] load metadata for docker.io/library/node:20"
    [GeneratedRegex(@"^#(?<v>\d+) \[(?<label>[^\]]+)\] (?<instruction>.+)$")]
    private static partial Regex BuildKitHeader();

    [GeneratedRegex(@"^(?:(?<stage>\S+) )?(?<n>\d+)/(?<total>\d+)$")]
    private static partial Regex StepLabel();

    [GeneratedRegex(@"^#(?<v>\d+) (?<rest>.*)$")]
    private static partial Regex BuildKitVertexLine();

    // A step's output: "0.412 text" (seconds since the step started).
    [GeneratedRegex(@"^\d+\.\d+ ?(?<text>.*)$")]
    private static partial Regex BuildKitOutput();
}
