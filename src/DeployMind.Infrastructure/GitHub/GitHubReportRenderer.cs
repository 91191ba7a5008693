using System.Globalization;
using System.Text;
using DeployMind.Application.Reporting;
using DeployMind.Domain.Deploy;

namespace DeployMind.Infrastructure.GitHub;

/// <summary>The text of GitHub reports: the pull request's report comment (the table of the original plan) and status descriptions.</summary>
internal static class GitHubReportRenderer
{
    /// <summary>GitHub's limit on commit and deployment status descriptions.</summary>
    public const int MaxDescriptionLength = 140;

    /// <summary>The hidden first line that identifies the report comment of an app's environment on a pull request.</summary>
    public static string Marker(string app, string environment) =>
        $"<!-- deploymind:report app={MarkerValue(app)} env={MarkerValue(environment)} -->";

    /// <summary>The report comment: marker, heading, table, link line.</summary>
    /// <param name="report">The deployment as it is.</param>
    /// <param name="link">Where its details are (the DeployMind server), or null.</param>
    public static string Comment(DeploymentReport report, string? link)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder();
        text.Append(Marker(report.App, report.Environment)).Append('\n');
        text.Append("## DeployMind Deployment Report\n\n");
        text.Append("| Field | Value |\n|-------|-------|\n");
        Row(text, "Status", StatusText(report));
        Row(text, "App", Code(report.App));
        Row(text, "Environment", Code(report.Environment));
        if (report.Commit is { Length: > 0 } commit)
        {
            Row(text, "Commit", Code(ShortSha(commit)));
        }

        if (report.Branch is { Length: > 0 } branch)
        {
            Row(text, "Branch", Code(branch));
        }

        if (report.IsTeardown)
        {
            if (report.State == DeploymentState.Failed && report.Reason is { Length: > 0 } why)
            {
                Row(text, "Reason", Cell(why));
            }

            return Finish(text, report, link);
        }

        if (report.ImageTag is { Length: > 0 } image)
        {
            Row(text, "Image", report.ImageSizeMb is { } size
                ? $"{Code(image)} ({size.ToString("0.#", CultureInfo.InvariantCulture)} MB)"
                : Code(image));
            if (report.ImageBuilder is { Length: > 0 } builder)
            {
                Row(text, "Built with", Cell(builder));
            }
        }

        Row(text, "Duration", FormatDuration(report.Duration));
        if (report.HealthChecksRequired is { } required)
        {
            Row(text, "Health", $"{report.HealthChecksPassed ?? 0}/{required} checks passed");
        }

        Row(text, "Strategy", report.CanaryPercentReached is { } percent && report.Strategy == StrategyKind.Canary
            ? $"{StrategyText(report.Strategy)} (reached {percent}%)"
            : StrategyText(report.Strategy));
        if (report.Url is { Length: > 0 } url && report.State is not (DeploymentState.Failed or DeploymentState.RolledBack or DeploymentState.Cancelled or DeploymentState.Superseded))
        {
            Row(text, report.PullRequest is null ? "URL" : "Preview", Cell(url));
        }

        if (report.State is DeploymentState.Failed or DeploymentState.RolledBack && report.FailedStage is { } stage)
        {
            Row(text, "Failed stage", stage.ToString().ToLowerInvariant());
        }

        if (report.State is DeploymentState.Failed or DeploymentState.RolledBack or DeploymentState.Cancelled or DeploymentState.Superseded && report.Reason is { Length: > 0 } reason)
        {
            Row(text, "Reason", Cell(reason));
        }

        Canary(text, report.CanaryFigures);
        Explanations(text, report.Explanations);
        return Finish(text, report, link);
    }

    /// <summary>
    /// The canary's last judged step: users' requests, 5xx, rates and p95 on both sides, then each comparison with its
    /// statistic, threshold and outcome, the split, and the probe requests apart — what a promotion or rollback rested on.
    /// </summary>
    private static void Canary(StringBuilder text, CanaryFigures? figures)
    {
        if (figures is null)
        {
            return;
        }

        var on = figures.DecidedOnProbes ? ", on probe requests" : string.Empty;
        text.Append(CultureInfo.InvariantCulture, $"\n### Canary at {figures.Percent}%: {Plain(figures.Verdict)} ({Plain(figures.Rule)}{on})\n\n");
        text.Append("| | Requests | 5xx | 5xx rate | p95 |\n| --- | ---: | ---: | ---: | ---: |\n");
        Side(text, "canary", figures.CanaryRequests, figures.CanaryErrors, figures.CanaryP95Milliseconds);
        Side(text, "stable", figures.StableRequests, figures.StableErrors, figures.StableP95Milliseconds);
        text.Append('\n');
        foreach (var (what, line) in new[] { ("5xx", figures.Errors), ("Latency", figures.Latency), ("Split", figures.Split), ("Split not checked", figures.SplitNotChecked), ("Probe requests (apart from users')", figures.Probes) })
        {
            if (line is { Length: > 0 })
            {
                text.Append("- **").Append(what).Append("**: ").Append(Plain(line)).Append('\n');
            }
        }
    }

    private static void Side(StringBuilder text, string side, int requests, int errors, double p95) =>
        text.Append(CultureInfo.InvariantCulture, $"| {side} | {requests:N0} | {errors:N0} | {(requests == 0 ? 0 : 100.0 * errors / requests):0.00}% | {p95:0} ms |\n");

    /// <summary>The most characters of one explanation in the comment (the records keep it whole).</summary>
    public const int MaxExplanationLength = 600;

    /// <summary>
    /// The stage agents' explanations, one paragraph per stage with its recommendations. A model's words are plain text
    /// here: markdown and HTML are escaped, so an answer steered by repository content cannot add links, images or mentions.
    /// </summary>
    private static void Explanations(StringBuilder text, IReadOnlyList<Application.Records.RecordedExplanation> explanations)
    {
        if (explanations.Count == 0)
        {
            return;
        }

        text.Append("\n### Explanations\n");
        foreach (var explanation in explanations)
        {
            var by = explanation.Model == Application.Pipeline.StageExplanation.Rules ? $"{explanation.Agent}, rule-based" : $"{explanation.Agent}, {explanation.Model}";
            var halt = explanation.Verdict == Application.Pipeline.StageExplanation.HaltVerdict ? " **Asked to halt.**" : string.Empty;
            text.Append("\n**").Append(Plain(explanation.Stage)).Append("** (").Append(Plain(by)).Append("): ")
                .Append(Plain(Cut(OneLine(explanation.Text), MaxExplanationLength))).Append(halt).Append('\n');
            foreach (var recommendation in explanation.Recommendations.Take(3))
            {
                text.Append("- ").Append(Plain(Cut(OneLine(recommendation), 300))).Append('\n');
            }
        }
    }

    // Plain text in markdown: every character markdown or HTML could read as markup is escaped; '@' cannot mention.
    private static string Plain(string value)
    {
        var line = new StringBuilder(value.Length);
        foreach (var c in OneLine(value))
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '(' or ')' or '#' or '!' or '|' or '~' or '{' or '}' or ':')
            {
                line.Append('\\');
            }

            line.Append(c switch
            {
                '@' => "@\u200B",
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                _ => c.ToString(),
            });
        }

        return line.ToString();
    }

    /// <summary>The commit or deployment status description: the stage while running, the outcome at the end; at most 140 characters.</summary>
    public static string Description(DeploymentReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = report.State switch
        {
            DeploymentState.Queued => "queued",
            DeploymentState.Scanning => "scanning the source",
            DeploymentState.Building => "building the image",
            DeploymentState.Deploying => $"deploying ({StrategyText(report.Strategy).ToLowerInvariant()})",
            DeploymentState.Verifying => "verifying health",
            DeploymentState.Succeeded when report.IsTeardown => "preview removed",
            DeploymentState.Succeeded => $"deployed in {FormatDuration(report.Duration)}",
            DeploymentState.Failed => report.FailedStage is { } stage
                ? $"{stage.ToString().ToLowerInvariant()} failed: {report.Reason ?? "no reason given"}"
                : $"failed: {report.Reason ?? "no reason given"}",
            DeploymentState.RolledBack => $"rolled back: {report.Reason ?? "no reason given"}",
            DeploymentState.Superseded => report.Reason ?? "superseded by a newer deployment",
            _ => report.Reason is { Length: > 0 } why ? $"cancelled: {why}" : "cancelled",
        };
        return Cut(OneLine(text), MaxDescriptionLength);
    }

    /// <summary>"47s", "2m 05s", "1h 02m".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalMinutes < 1 ? $"{(int)duration.TotalSeconds}s"
            : duration.TotalHours < 1 ? $"{(int)duration.TotalMinutes}m {duration.Seconds:00}s"
            : $"{(int)duration.TotalHours}h {duration.Minutes:00}m";
    }

    /// <summary><paramref name="text"/>, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Cut(string text, int max) =>
        text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1).TrimEnd(), "…");

    private static string StatusText(DeploymentReport report) => report.IsTeardown
        ? report.State switch
        {
            DeploymentState.Succeeded => "🧹 Preview removed",
            DeploymentState.Failed or DeploymentState.RolledBack => "❌ Preview removal failed",
            DeploymentState.Cancelled => "⛔ Preview removal cancelled",
            DeploymentState.Superseded => "⏭ Preview removal superseded",
            _ => "⏳ Removing the preview",
        }
        : report.State switch
        {
            DeploymentState.Queued => "⏳ Queued",
            DeploymentState.Scanning => "🔍 Scanning",
            DeploymentState.Building => "🔨 Building",
            DeploymentState.Deploying => "🚀 Deploying",
            DeploymentState.Verifying => "🩺 Verifying",
            DeploymentState.Succeeded => "✅ Deployed",
            DeploymentState.Failed => "❌ Failed",
            DeploymentState.RolledBack => "↩️ Rolled back",
            DeploymentState.Superseded => "⏭ Superseded",
            _ => "⛔ Cancelled",
        };

    private static string StrategyText(StrategyKind strategy) => strategy switch
    {
        StrategyKind.BlueGreen => "Blue-green",
        StrategyKind.Canary => "Canary",
        _ => "Rolling",
    };

    private static string Finish(StringBuilder text, DeploymentReport report, string? link)
    {
        text.Append('\n');
        var id = report.Id.ToString("N", CultureInfo.InvariantCulture)[..8];
        text.Append(link is null
            ? $"Deployment `{id}` · `deploymind logs {id}`\n"
            : $"[View deployment logs →]({link}) · deployment `{id}`\n");
        return text.ToString();
    }

    private static void Row(StringBuilder text, string field, string value) =>
        text.Append("| ").Append(field).Append(" | ").Append(value).Append(" |\n");

    private static string ShortSha(string commit) => commit.Length > 7 ? commit[..7] : commit;

    // A table cell: one line, no HTML, pipes escaped.
    private static string Cell(string value) =>
        OneLine(value).Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);

    // A code span in a table cell: a value holding backticks gets a longer fence; pipes stay escaped (GFM tables).
    private static string Code(string value)
    {
        var line = OneLine(value).Replace("|", "\\|", StringComparison.Ordinal);
        return line.Contains('`', StringComparison.Ordinal) ? $"`` {line} ``" : $"`{line}`";
    }

    private static string OneLine(string value) =>
        string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Marker values never end the HTML comment or break the key=value form.
    private static string MarkerValue(string value) =>
        new(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' ? c : '_').ToArray());
}
