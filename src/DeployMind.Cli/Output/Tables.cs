using DeployMind.Domain.Build;
using DeployMind.Domain.Findings;
using Spectre.Console;

namespace DeployMind.Cli.Output;

/// <summary>Tables shared by several commands.</summary>
internal static class Tables
{
    public static Table Detection(DetectionResult d)
    {
        var table = KeyValue("Detected application");
        table.AddRow("Folder", Markup.Escape(d.AppPath));
        table.AddRow("Language", Markup.Escape(d.Language.DisplayName()));
        table.AddRow("Framework", Markup.Escape(d.Framework ?? "—"));
        table.AddRow("Entry point", Markup.Escape(d.EntryPoint ?? "—"));
        table.AddRow("Start command", Markup.Escape(d.StartCommand) + (d.StartCommandFromProcfile ? " [grey](Procfile)[/]" : string.Empty));
        table.AddRow("Port", d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) + PortNote(d));
        table.AddRow("Package manager", Markup.Escape(d.PackageManager + (d.Lockfile is null ? " (no lockfile)" : $" ({d.Lockfile})")));
        table.AddRow("Dockerfile", d.HasDockerfile ? "present (used as is)" : "none (DeployMind generates one)");
        table.AddRow(".dockerignore", d.HasDockerignore ? "present" : "none");
        table.AddRow("Confidence", $"{d.Confidence:P0}");
        table.AddRow("Decided by", Markup.Escape(string.Join(", ", d.Evidence)));
        return table;
    }

    /// <summary>Where the port came from, after it: the file and line, or that it is the framework's default.</summary>
    private static string PortNote(DetectionResult d) => d.PortSource switch
    {
        PortSource.Default => " [yellow](the framework's default: not found in the app)[/]",
        PortSource.Environment => " [grey](the default, given to the app in PORT)[/]",
        _ when d.PortLocation is not null => $" [grey](from {Markup.Escape(d.PortLocation)})[/]",
        _ => string.Empty,
    };

    public static Table Findings(IReadOnlyList<LintFinding> findings, string file)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(file)}[/]");
        table.AddColumns("Line", "Rule", "Severity", "Problem", "Fix");
        foreach (var f in findings)
        {
            table.AddRow(
                f.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                f.RuleId,
                SeverityMarkup(f.Severity),
                Markup.Escape(f.Message),
                Markup.Escape(f.Fix));
        }

        return table;
    }

    public static Table SecurityFindings(IReadOnlyList<SecurityFinding> findings)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("File", "Line", "Rule", "Severity", "Finding (redacted)");
        foreach (var f in findings)
        {
            table.AddRow(
                Markup.Escape(f.File),
                f.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape($"{f.RuleId} {f.Title}"),
                SeverityMarkup(f.Severity),
                Markup.Escape(f.RedactedExcerpt));
        }

        return table;
    }

    public static string SeverityMarkup(Severity severity) => severity switch
    {
        Severity.Critical => "[bold red]critical[/]",
        Severity.High => "[red]high[/]",
        Severity.Medium => "[yellow]medium[/]",
        Severity.Low => "[blue]low[/]",
        _ => "[grey]info[/]",
    };

    public static Table KeyValue(string title) =>
        new Table().Border(TableBorder.Rounded).Title($"[bold]{Markup.Escape(title)}[/]").HideHeaders().AddColumn("key").AddColumn("value");
}
