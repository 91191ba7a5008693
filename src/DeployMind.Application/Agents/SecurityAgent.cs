using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Agents;

/// <summary>The Security agent: after the scan, explains the findings (committed secrets, risky settings) and the policy's judgement.</summary>
internal sealed class SecurityAgent : StageAgent
{
    public SecurityAgent(IAgentModel? model, ITextRedactor redactor, IOptions<AiOptions> options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
        : base(model, redactor, options, cache, budgets, time)
    {
    }

    public override string Name => "security-agent";

    protected override string Role => "You read the repository scan: committed secrets and risky deployment settings, and which of them the environment's policy blocks on.";

    protected override AgentFacts? Read(PipelineStage stage, StageReport report, PipelineContext context)
    {
        if (stage != PipelineStage.Scan || report is not ScanStageReport scan)
        {
            return null;
        }

        var blocking = scan.Blocking.ToHashSet();
        var figures = new Dictionary<string, object?>
        {
            ["filesScanned"] = scan.FilesScanned,
            ["findings"] = scan.Findings.Count,
            ["secrets"] = scan.Secrets.Count,
            ["riskySettings"] = scan.RiskySettings.Count,
            ["bySeverity"] = BySeverity(scan.Findings),
            ["blocking"] = scan.Blocking.Count,
            ["blockAt"] = scan.BlockAt,
            ["findingsAllowedForThisRun"] = scan.FindingsAllowed,
        };
        var untrusted = new Dictionary<string, object?>
        {
            ["findings"] = scan.Findings.Take(20).Select(f => Finding(f, blocking.Contains(f))).ToList(),
        };
        var tools = new List<AgentTool>
        {
            new("findings_by_rule", "The findings of one rule (file, line, severity, redacted excerpt).", ("rule", "The rule id, e.g. DMS003."),
                rule => List(scan.Findings.Where(f => string.Equals(f.RuleId, rule?.Trim(), StringComparison.OrdinalIgnoreCase)), blocking)),
            new("findings_in_file", "The findings in one file.", ("file", "The file's path as the report shows it."),
                file => List(scan.Findings.Where(f => string.Equals(f.File, file?.Trim(), StringComparison.Ordinal)), blocking)),
            new("blocking_findings", "Every finding the environment's policy blocks on.", null, _ => List(scan.Blocking, blocking)),
        };
        return new AgentFacts { Figures = figures, Untrusted = untrusted, Tools = tools, Rules = Rules(scan) };
    }

    private static StageExplanation Rules(ScanStageReport scan)
    {
        var recommendations = new List<string>();
        string text;
        if (scan.Findings.Count == 0)
        {
            text = $"The scan read {scan.FilesScanned} file(s) and found no committed secret and no risky setting.";
        }
        else
        {
            text = $"The scan read {scan.FilesScanned} file(s) and found {scan.Secrets.Count} committed secret(s) and {scan.RiskySettings.Count} risky setting(s) "
                + $"({string.Join(", ", BySeverity(scan.Findings).Select(p => $"{p.Value} {p.Key}"))}). "
                + (scan.Blocking.Count == 0
                    ? scan.BlockAt is null ? "Nothing blocks in this environment." : $"None is {scan.BlockAt.ToString()!.ToLowerInvariant()} or higher, so none blocks."
                    : scan.FindingsAllowed
                        ? $"{scan.Blocking.Count} would block ({scan.BlockAt.ToString()!.ToLowerInvariant()} or higher) but were allowed for this run by --allow-findings."
                        : $"{scan.Blocking.Count} block ({scan.BlockAt.ToString()!.ToLowerInvariant()} or higher), so the deployment stopped here.");
            foreach (var f in (scan.Blocking.Count > 0 ? scan.Blocking : scan.Findings).Take(3))
            {
                recommendations.Add(f.Kind == SecurityFindingKind.Secret
                    ? $"Remove the secret at {f.File}:{f.Line} ({f.RuleId}) from the repository, rotate it, and give it to the app through env.secret."
                    : $"Review {f.RuleId} ({f.Title}) at {f.File}:{f.Line}.");
            }

            if (scan.Findings.Count > 3)
            {
                recommendations.Add("Mark a false positive with a deploymind:allow comment on its line.");
            }
        }

        return new StageExplanation(text, recommendations, StageExplanation.NoVerdict, StageExplanation.Rules);
    }

    private static Dictionary<string, object?> BySeverity(IEnumerable<SecurityFinding> findings) =>
        findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => (object?)g.Count());

    private static Dictionary<string, object?> Finding(SecurityFinding f, bool blocking) => new()
    {
        ["rule"] = f.RuleId,
        ["title"] = f.Title,
        ["severity"] = f.Severity,
        ["kind"] = f.Kind,
        ["file"] = f.File,
        ["line"] = f.Line,
        ["excerpt"] = f.RedactedExcerpt,
        ["blocking"] = blocking,
    };

    private static string List(IEnumerable<SecurityFinding> findings, HashSet<SecurityFinding> blocking)
    {
        var lines = findings.Take(20).Select(f => $"{f.RuleId} {f.Severity.ToString().ToLowerInvariant()}{(blocking.Contains(f) ? " blocking" : string.Empty)} at {f.File}:{f.Line}: {f.RedactedExcerpt}").ToList();
        return lines.Count == 0 ? "no such findings" : string.Join('\n', lines);
    }
}
