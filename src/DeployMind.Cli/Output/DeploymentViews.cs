using System.Globalization;
using DeployMind.Application.Records;
using DeployMind.Domain.Deploy;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>How a recorded deployment is shown: the status panel (deploy, status), the list, the timeline, and their JSON.</summary>
internal static class DeploymentViews
{
    /// <summary>The status panel of the original plan, from what the deployment recorded.</summary>
    /// <param name="d">The deployment.</param>
    /// <param name="now">For the duration of one still running.</param>
    /// <param name="reasonShownAbove">The whole reason was just printed: the panel shows its first line only.</param>
    public static Table StatusPanel(Deployment d, DateTimeOffset now, bool reasonShownAbove = false)
    {
        var table = Tables.KeyValue("DeployMind — Deployment Status");
        table.AddRow("Deployment ID", d.Id.ToString());
        table.AddRow("App", Markup.Escape($"{d.App} ({d.Environment})"));
        table.AddRow("Status", StateMarkup(d));
        if (d.RollbackOf is { } of)
        {
            table.AddRow("Rolls back", of.ToString());
        }

        if (d.Commit is { } commit)
        {
            table.AddRow("Commit", Markup.Escape($"{Short(commit)} ({d.Repository} {d.Branch})".Replace(" )", ")", StringComparison.Ordinal)));
        }

        table.AddRow("Strategy", d.Strategy.Name());
        if (d.ImageTag is { } image)
        {
            table.AddRow("Image", Markup.Escape(d.ImageSizeMb is { } mb and > 0 ? $"{image} ({mb:F0}MB)" : image));
            if (d.ImageBuilder is { } builder)
            {
                table.AddRow("Built with", Markup.Escape(builder));
            }
        }

        if (d.ReleaseId is { } release)
        {
            table.AddRow("Release", Markup.Escape($"{release} on {d.Target}"));
        }

        table.AddRow("Duration", Markup.Escape(DurationText(d, now)));
        if (d.HealthChecksPassed is { } passed)
        {
            table.AddRow("Health Checks", $"{passed}/{d.HealthChecksRequired} passed");
        }

        if (d.CanaryPercentReached is { } percent)
        {
            table.AddRow("Canary", $"{percent}% reached");
        }

        if (d.State == DeploymentState.Succeeded && d.Url is { } url)
        {
            table.AddRow("URL", Markup.Escape(url));
        }

        table.AddRow("Triggered by", Markup.Escape($"{d.TriggeredBy} at {d.CreatedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}"));
        if (d.Reason is { } whole && d.State is not DeploymentState.Succeeded)
        {
            var reason = reasonShownAbove && whole.Contains('\n', StringComparison.Ordinal) ? whole.Split('\n', 2)[0] + " (in full above)" : whole;
            table.AddRow("Reason", $"[red]{Markup.Escape(reason)}[/]");
        }

        return table;
    }

    /// <summary>Recent deployments, newest first.</summary>
    public static Table List(IReadOnlyList<Deployment> deployments, DateTimeOffset now)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("ID", "App", "Env", "Status", "Strategy", "Commit", "Image", "Started", "Took", "By");
        foreach (var d in deployments)
        {
            table.AddRow(
                Markup.Escape(d.ShortId()),
                Markup.Escape(d.App),
                Markup.Escape(d.Environment),
                StateMarkup(d),
                d.Strategy.Name(),
                Markup.Escape(d.Commit is null ? "—" : Short(d.Commit)),
                Markup.Escape(d.ImageTag ?? "—"),
                d.CreatedAt.ToLocalTime().ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                Markup.Escape(Seconds((d.IsFinished ? d.UpdatedAt : now) - d.CreatedAt)),
                Markup.Escape(d.TriggeredBy));
        }

        return table;
    }

    /// <summary>Every entry of the timeline, with the time spent in each state.</summary>
    public static Table Timeline(Deployment d)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Timeline[/]");
        table.AddColumns("Time", "State", "What happened");
        foreach (var e in d.Events)
        {
            table.AddRow(
                e.At.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
                e.IsTransition ? $"→ {e.To.Name()}" : $"[grey]{e.To.Name()}[/]",
                Markup.Escape(e.Detail));
        }

        return table;
    }

    /// <summary>The stage agents' explanations: stage, agent (and the model, or "rules"), the text with its recommendations, and a halt when one asked for it.</summary>
    public static Table Explanations(IReadOnlyList<RecordedExplanation> explanations)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("[bold]Explanations[/]");
        table.AddColumns("Stage", "Agent", "Explanation");
        foreach (var x in explanations)
        {
            var text = Markup.Escape(x.Text)
                + string.Concat(x.Recommendations.Select(r => $"\n[grey]→[/] {Markup.Escape(r)}"))
                + (x.Verdict == Application.Pipeline.StageExplanation.HaltVerdict ? "\n[red]asked to halt the deployment[/]" : string.Empty);
            table.AddRow(Markup.Escape(x.Stage), $"{Markup.Escape(x.Agent)}\n[grey]{Markup.Escape(x.Model)}[/]", text);
        }

        return table;
    }

    /// <summary>The exit code a deployment gives (see <see cref="ExitCodes"/>): one still queued or running gives <see cref="ExitCodes.StillRunning"/>.</summary>
    public static int ExitCode(Deployment d) => d.State switch
    {
        _ when !d.IsFinished => ExitCodes.StillRunning,
        DeploymentState.Succeeded => ExitCodes.Success,
        DeploymentState.Cancelled => ExitCodes.Cancelled,
        DeploymentState.Superseded => ExitCodes.Superseded,
        DeploymentState.Failed when d.FailedStage == PipelineStage.Scan => ExitCodes.ScanBlocked,
        DeploymentState.Failed when d.FailedStage == PipelineStage.Build => ExitCodes.BuildFailed,
        _ => ExitCodes.DeployFailed,
    };

    public static string StateMarkup(Deployment d) => d.State switch
    {
        DeploymentState.Succeeded => "[green]✅ succeeded[/]",
        DeploymentState.RolledBack => "[yellow]↩ rolled_back[/]",
        DeploymentState.Cancelled => "[yellow]cancelled[/]",
        DeploymentState.Superseded => "[yellow]⏭ superseded[/]",
        DeploymentState.Failed => $"[red]❌ failed[/]{(d.FailedStage is { } stage ? $" at {stage.ToString().ToLowerInvariant()}" : string.Empty)}",
        _ => $"[blue]{d.State.Name()}…[/]",
    };

    private static string DurationText(Deployment d, DateTimeOffset now)
    {
        var total = Seconds((d.IsFinished ? d.UpdatedAt : now) - d.CreatedAt);
        var stages = d.StateDurations(now)
            .Where(s => s.State is DeploymentState.Scanning or DeploymentState.Building or DeploymentState.Deploying or DeploymentState.Verifying)
            .Select(s => $"{s.State.Name()} {Seconds(s.Duration)}");
        var detail = string.Join(", ", stages);
        return detail.Length == 0 ? total : $"{total} ({detail})";
    }

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds < 10 ? span.TotalSeconds.ToString("0.0s", CultureInfo.InvariantCulture) : span.TotalSeconds.ToString("0s", CultureInfo.InvariantCulture);

    private static string Short(string commit) => commit[..Math.Min(12, commit.Length)];
}
