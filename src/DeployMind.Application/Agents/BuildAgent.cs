using System.Globalization;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using DeployMind.Domain.Findings;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Agents;

/// <summary>The Build agent: after the build, explains detection, the Dockerfile's lint results, the image's size and layers, the log's failing step and the image scan.</summary>
internal sealed class BuildAgent : StageAgent
{
    public BuildAgent(IAgentModel? model, ITextRedactor redactor, IOptions<AiOptions> options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
        : base(model, redactor, options, cache, budgets, time)
    {
    }

    public override string Name => "build-agent";

    protected override string Role => "You read the image build: what was detected, the Dockerfile's lint results, the image's size, layers and cache use, the build log and the built image's vulnerability scan.";

    protected override AgentFacts? Read(PipelineStage stage, StageReport report, PipelineContext context)
    {
        if (stage != PipelineStage.Build || report is not BuildStageReport build)
        {
            return null;
        }

        var figures = new Dictionary<string, object?>
        {
            ["built"] = build.Built,
            ["language"] = build.Detection?.Language,
            ["detectionConfidence"] = build.Detection?.Confidence,
            ["dockerfileGenerated"] = build.DockerfileGenerated,
            ["dockerfileBuilt"] = build.DockerfileSource,
            ["lintFindings"] = build.Lint.Count,
            ["lintBySeverity"] = build.Lint.GroupBy(l => l.Severity).ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => (object?)g.Count()),
            ["sizeMb"] = Math.Round(build.SizeMb, 1),
            ["layers"] = build.Layers,
            ["cacheHits"] = build.CacheHits,
            ["durationSeconds"] = Math.Round(build.Duration.TotalSeconds, 1),
            ["warnings"] = build.Warnings.Count,
            ["imageScanned"] = build.ImageScan is { Skipped: false },
            ["imageFindings"] = build.ImageScan?.Findings.Count ?? 0,
            ["imageBlocking"] = build.ImageBlocking.Count,
            ["imageBlockAt"] = build.ImageBlockAt,
            ["findingsAllowedForThisRun"] = build.FindingsAllowed,
        };
        var untrusted = new Dictionary<string, object?>
        {
            ["imageTag"] = build.ImageTag,
            ["framework"] = build.Detection?.Framework,
            ["failedStep"] = build.FailedStep,
            ["error"] = build.Error,
            ["lint"] = build.Lint.Take(15).Select(l => $"{l.RuleId} {l.Severity.ToString().ToLowerInvariant()} line {l.Line}: {l.Message}").ToList(),
            ["warnings"] = build.Warnings.Take(10).ToList(),
            ["logTail"] = build.LogTail.TakeLast(15).ToList(),
            ["imageBlocking"] = build.ImageBlocking.Take(10).Select(f => $"{f.RuleId} {f.Severity.ToString().ToLowerInvariant()} in {f.File}: {f.RedactedExcerpt}").ToList(),
            ["imageScanSkipped"] = build.ImageScan is { Skipped: true } skipped ? skipped.SkipReason : null,
            ["dockerfileProposal"] = build.DockerfileNote,
        };
        var tools = new List<AgentTool>
        {
            new("build_log_tail", "The build log's last lines (at most 40).", ("lines", "How many lines, 1 to 40."), lines => Tail(build, lines)),
            new("failing_step", "The instruction that failed and the error, when the build failed.", null,
                _ => build.Built ? "the build did not fail" : $"step: {build.FailedStep ?? "unknown"}\nerror: {build.Error ?? "unknown"}"),
            new("lint_results", "The Dockerfile's lint results, optionally of one rule.", ("rule", "A lint rule id, or empty for all."),
                rule => Lines(build.Lint.Where(l => string.IsNullOrWhiteSpace(rule) || string.Equals(l.RuleId, rule.Trim(), StringComparison.OrdinalIgnoreCase))
                    .Select(l => $"{l.RuleId} {l.Severity.ToString().ToLowerInvariant()} line {l.Line}: {l.Message} Fix: {l.Fix}"))),
            new("image_findings", "The built image's vulnerabilities, optionally of one severity or higher.", ("severity", "critical, high, medium, low or empty."),
                severity => Lines((build.ImageScan?.Findings ?? []).Where(f => !Enum.TryParse<Severity>(severity, true, out var at) || f.Severity >= at)
                    .Select(f => $"{f.RuleId} {f.Severity.ToString().ToLowerInvariant()} in {f.File}: {f.RedactedExcerpt}"))),
        };
        return new AgentFacts { Figures = figures, Untrusted = untrusted, Tools = tools, Rules = Rules(build) };
    }

    private static StageExplanation Rules(BuildStageReport build)
    {
        var recommendations = new List<string>();
        var dockerfile = build.DockerfileSource switch
        {
            "proposal" => "the build-agent's proposed Dockerfile",
            "repository" => "the app's own Dockerfile",
            _ => "a generated Dockerfile",
        };
        var lint = build.Lint.Count == 0 ? "it lints clean" : $"its lint found {build.Lint.Count} issue(s)";
        string text;
        if (!build.Built)
        {
            text = $"The build with {dockerfile} failed after {build.Duration.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s"
                + (build.FailedStep is null ? "." : " at a step the report quotes (failedStep).") + " Nothing was deployed.";
            recommendations.Add("Read the failing step and the build log's last lines (deploymind logs ID), fix it and push again.");
        }
        else
        {
            text = string.Create(CultureInfo.InvariantCulture, $"The image was built with {dockerfile} ({lint}): {build.SizeMb:F0} MB in {build.Layers} layers, {build.CacheHits} step(s) from cache, in {build.Duration.TotalSeconds:F0}s.");
            if (build.ImageScan is { Skipped: true })
            {
                text += " The image scan was skipped.";
                recommendations.Add("Install trivy so built images are scanned for known vulnerabilities.");
            }
            else if (build.ImageScan is { } scan)
            {
                text += build.ImageBlocking.Count == 0
                    ? $" The image scan found {scan.Findings.Count} known vulnerabilit(ies), none blocking."
                    : build.FindingsAllowed
                        ? $" The image scan found {build.ImageBlocking.Count} blocking vulnerabilit(ies), allowed for this run by --allow-findings."
                        : $" The image scan found {build.ImageBlocking.Count} blocking vulnerabilit(ies), so the deployment stopped here.";
                if (build.ImageBlocking.Count > 0)
                {
                    recommendations.Add("Update the base image or the affected packages and build again.");
                }
            }

            if (build.SizeMb > 500)
            {
                recommendations.Add("The image is large: use a multi-stage build and a slim or distroless runtime image.");
            }
        }

        foreach (var finding in build.Lint.Where(l => l.Severity >= Severity.Medium).Take(2))
        {
            recommendations.Add($"Dockerfile line {finding.Line} ({finding.RuleId}): {finding.Fix}");
        }

        return new StageExplanation(text, recommendations, StageExplanation.NoVerdict, StageExplanation.Rules);
    }

    private static string Tail(BuildStageReport build, string? lines)
    {
        var count = int.TryParse(lines, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 1, BuildStageReport.LogTailLines) : 20;
        return Lines(build.LogTail.TakeLast(count));
    }

    private static string Lines(IEnumerable<string> lines)
    {
        var list = lines.Take(40).ToList();
        return list.Count == 0 ? "nothing" : string.Join('\n', list);
    }
}
