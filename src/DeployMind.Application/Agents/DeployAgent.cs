using System.Globalization;
using DeployMind.Application.Deploy.Analysis;
using DeployMind.Application.Pipeline;
using DeployMind.Application.Security;
using DeployMind.Domain.Deploy;
using Microsoft.Extensions.Options;

namespace DeployMind.Application.Agents;

/// <summary>The Deploy agent: after deploy and after verify, explains the health checks, the canary or blue-green figures and any rollback.</summary>
internal sealed class DeployAgent : StageAgent
{
    public DeployAgent(IAgentModel? model, ITextRedactor redactor, IOptions<AiOptions> options, AgentAnswerCache cache, AgentBudgets budgets, TimeProvider time)
        : base(model, redactor, options, cache, budgets, time)
    {
    }

    public override string Name => "deploy-agent";

    protected override string Role => "You read a release's deploy and its verification: health checks, canary steps with their error rates and latencies, the switch of traffic and any rollback.";

    protected override AgentFacts? Read(PipelineStage stage, StageReport report, PipelineContext context)
    {
        var facts = (stage, report) switch
        {
            (PipelineStage.Deploy, DeployStageReport deploy) => Deploy(deploy),
            (PipelineStage.Verify, VerifyStageReport verify) => Verify(verify),
            _ => null,
        };
        return facts is null ? null : facts with { Tools = [.. facts.Tools, PreviousRelease(context)] };
    }

    /// <summary>The release before this one: the releases the records say succeeded, and how the serving one answered through nginx before the switch.</summary>
    private static AgentTool PreviousRelease(PipelineContext context) =>
        new("previous_release", "The releases that succeeded before this one (newest first) and how the release serving before the switch answered each compared path through nginx, per host.", null, _ =>
        {
            var history = context.Command?.History ?? Application.Deploy.ReleaseHistory.Unknown;
            var lines = new List<string>
            {
                history.Succeeded.Count == 0 ? "no earlier release succeeded (a first deploy, or none recorded)" : $"succeeded before: {string.Join(", ", history.Succeeded.Take(5))}",
            };
            if (history.Rejected.Count > 0)
            {
                lines.Add($"rolled back or failed before: {string.Join(", ", history.Rejected.Take(5))}");
            }

            lines.AddRange(context.Baseline.Answers.SelectMany(host => host.Value.Select(path =>
                $"{host.Key} {path.Key}: the previous release answered {string.Join(", ", path.Value.Select(c => c?.ToString(CultureInfo.InvariantCulture) ?? "no answer"))}")));
            if (context.Baseline.Answers.Count == 0)
            {
                lines.Add("no answers of the previous release were recorded (nothing served, or verify compares no paths)");
            }

            return string.Join('\n', lines);
        });

    private static AgentFacts Deploy(DeployStageReport deploy)
    {
        var figures = new Dictionary<string, object?>
        {
            ["strategy"] = deploy.Strategy,
            ["status"] = deploy.Status,
            ["durationSeconds"] = Math.Round(deploy.Duration.TotalSeconds, 1),
            ["health"] = Health(deploy.Health),
            ["canarySteps"] = deploy.CanarySteps.Count,
            ["canaryPercentReached"] = deploy.CanaryPercentReached,
            ["hosts"] = deploy.Hosts.Count,
            ["hostsSwitched"] = deploy.HostsSwitched.Count,
            ["previousReleasesKeptRunning"] = deploy.PreviousReleases.Count,
            ["switchPending"] = deploy.SwitchPending,
            ["kubernetes"] = deploy.Cluster is not null,
        };
        var untrusted = new Dictionary<string, object?>
        {
            ["release"] = deploy.ReleaseId,
            ["reason"] = deploy.Reason,
            ["healthFailure"] = deploy.Health?.Failure,
            ["hosts"] = deploy.Hosts.ToList(),
            ["canary"] = deploy.CanarySteps.Select(Step).ToList(),
        };
        var tools = new List<AgentTool>
        {
            new("canary_step", "The figures of one canary step (1-based), or of every step when empty.", ("step", "The step's number."), step => Steps(deploy.CanarySteps, step)),
            new("health_checks", "The new release's last health report.", null, _ => Health(deploy.Health) is { } h ? string.Join(", ", h.Select(p => $"{p.Key}={p.Value}")) : "no health report"),
        };
        var recommendations = new List<string>();
        string text;
        var health = deploy.Health is { } report ? $" Health: {report.ConsecutivePassed}/{report.Required} checks passed in {report.Attempts} attempt(s)." : string.Empty;
        var canary = deploy.CanarySteps.Count > 0 ? $" The canary went through {deploy.CanarySteps.Count} step(s) and reached {deploy.CanaryPercentReached}% of the traffic." : string.Empty;
        switch (deploy.Status)
        {
            case null:
                text = "Nothing was deployed (a build-only run).";
                break;
            case DeployStatus.Succeeded:
                text = $"The {deploy.Strategy.ToString().ToLowerInvariant()} deploy put the new release on {deploy.HostsSwitched.Count} host(s) in {deploy.Duration.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s.{health}{canary}"
                    + (deploy.PreviousReleases.Count > 0 ? $" The previous release keeps running until verify passes." : string.Empty);
                break;
            case DeployStatus.RolledBack:
                text = $"The {deploy.Strategy.ToString().ToLowerInvariant()} deploy took traffic, misbehaved and was rolled back.{health}{canary}";
                recommendations.Add("Compare the canary's error rate and p95 with the stable release's (deploymind status ID shows each step), fix the cause and deploy again.");
                break;
            default:
                text = $"The {deploy.Strategy.ToString().ToLowerInvariant()} deploy failed before the new release took traffic; the previous release still serves.{health}";
                recommendations.Add("Read the deploy's log (deploymind logs ID) for the step that failed.");
                break;
        }

        if (deploy.Health is { Healthy: false })
        {
            recommendations.Add("Check the app's health endpoint and start-up time (healthCheck.path, healthCheck.timeout) on one host.");
        }

        return new AgentFacts { Figures = figures, Untrusted = untrusted, Tools = tools, Rules = new(text, recommendations, StageExplanation.NoVerdict, StageExplanation.Rules) };
    }

    private static AgentFacts Verify(VerifyStageReport verify)
    {
        var figures = new Dictionary<string, object?>
        {
            ["skipped"] = verify.SkipReason is not null,
            ["successesNeeded"] = verify.Successes,
            ["hostsAsked"] = verify.Hosts.Count,
            ["hostsFailed"] = verify.Hosts.Count(h => h.Problem is not null),
            ["comparedPaths"] = verify.Compared.Count,
            ["rollback"] = verify.Rollback?.Kind,
            ["rolledBack"] = verify.Rollback?.RolledBack ?? false,
            ["strategy"] = verify.Strategy,
            ["health"] = Health(verify.Health),
            ["canarySteps"] = verify.CanarySteps.Count,
            ["canaryPercentReached"] = verify.CanaryPercentReached,
        };
        var untrusted = new Dictionary<string, object?>
        {
            ["release"] = verify.ReleaseId,
            ["skipReason"] = verify.SkipReason,
            ["path"] = verify.Path,
            ["problem"] = verify.Problem,
            ["rollbackTo"] = verify.Rollback?.To.ToList(),
            ["rollbackError"] = verify.Rollback?.Error,
            ["hosts"] = verify.Hosts.Select(h => new Dictionary<string, object?>
            {
                ["host"] = h.Host,
                ["problem"] = h.Problem,
                ["paths"] = h.Paths.Select(p => $"{p.Path}: {p.Passed} good in a row, {p.FailedInARow} bad in a row, last bad: {p.Last}" + (p.Previous is null ? string.Empty : $", previous release answered {p.Previous}")).ToList(),
            }).ToList(),
        };
        var tools = new List<AgentTool>
        {
            new("verify_host", "How one host's nginx answered each path during verify.", ("host", "The host's name."),
                host => verify.Hosts.FirstOrDefault(h => string.Equals(h.Host, host?.Trim(), StringComparison.Ordinal)) is { } h
                    ? string.Join('\n', h.Paths.Select(p => $"{p.Path} strict={p.Strict} passed={p.Passed} failedInARow={p.FailedInARow} last={p.Last} previous={p.Previous ?? "-"}"))
                    : "no such host"),
            new("canary_step", "The figures of one canary step (1-based), or of every step when empty.", ("step", "The step's number."), step => Steps(verify.CanarySteps, step)),
        };
        var recommendations = new List<string>();
        string text;
        if (verify.SkipReason is not null)
        {
            text = "Verification did not run (the reason is in the report).";
        }
        else if (verify.Rollback is not { } rollback)
        {
            text = $"Every host ({verify.Hosts.Count}) answered the verify path through nginx {verify.Successes} time(s) in a row"
                + (verify.Compared.Count > 0 ? $", and the {verify.Compared.Count} compared path(s) answered below 500 as on the previous release." : ".");
        }
        else
        {
            text = $"Verification failed on {verify.Hosts.Count(h => h.Problem is not null)} of {verify.Hosts.Count} host(s) asked. "
                + rollback.Kind switch
                {
                    VerifyRollbackKind.Reverted => "Traffic went straight back to the previous release, which kept running.",
                    VerifyRollbackKind.RestartedPrevious => "The previous release was started again.",
                    VerifyRollbackKind.FirstRelease => "It is the first release here, so there was nothing to go back to and it stays.",
                    VerifyRollbackKind.RollbackFailed => "The rollback failed too: look at the hosts now.",
                    _ => "The new release stays in place.",
                };
            recommendations.Add("Open the verify path on one host through nginx and compare with the previous release's answer (deploymind status ID).");
        }

        return new AgentFacts { Figures = figures, Untrusted = untrusted, Tools = tools, Rules = new(text, recommendations, StageExplanation.NoVerdict, StageExplanation.Rules) };
    }

    private static Dictionary<string, object?>? Health(HealthReport? health) => health is null ? null : new()
    {
        ["healthy"] = health.Healthy,
        ["consecutivePassed"] = health.ConsecutivePassed,
        ["required"] = health.Required,
        ["attempts"] = health.Attempts,
        ["elapsedSeconds"] = Math.Round(health.Elapsed.TotalSeconds, 1),
    };

    private static string Step(CanaryStepResult step, int index) => string.Create(
        CultureInfo.InvariantCulture,
        $"step {index + 1}: {step.Verdict.ToString().ToLowerInvariant()}; canary {step.Canary.ServerErrors}/{step.Canary.Requests} 5xx, p95 {step.Canary.P95Milliseconds:0} ms; stable {step.Stable.ServerErrors}/{step.Stable.Requests} 5xx, p95 {step.Stable.P95Milliseconds:0} ms; {step.Reason}");

    private static string Steps(IReadOnlyList<CanaryStepResult> steps, string? which)
    {
        if (steps.Count == 0)
        {
            return "no canary steps";
        }

        if (int.TryParse(which, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            return n >= 1 && n <= steps.Count ? Step(steps[n - 1], n - 1) : $"no step {n}; there are {steps.Count}";
        }

        return string.Join('\n', steps.Select(Step));
    }
}
