using System.ComponentModel;
using DeployMind.Application.Build;
using DeployMind.Cli.Hosting;
using DeployMind.Cli.Output;
using DeployMind.Domain.Findings;
using DeployMind.Infrastructure.Build.Linting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace DeployMind.Cli.Commands;

/// <summary><c>deploymind lint [DOCKERFILE]</c>: the linter's findings as a table, JSON or SARIF.</summary>
internal sealed class LintCommand : AsyncCommand<LintCommand.Settings>
{
    private readonly IAnsiConsole _console;
    private readonly CliHostFactory _hosts;

    public LintCommand(IAnsiConsole console, CliHostFactory hosts)
    {
        _console = console;
        _hosts = hosts;
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Rules)
        {
            WriteRules(settings);
            return ExitCodes.Success;
        }

        var path = Path.GetFullPath(settings.Dockerfile);
        if (Directory.Exists(path))
        {
            // A folder: the Dockerfile in it, as `build` and `deploy` take it.
            var inFolder = Path.Combine(path, "Dockerfile");
            if (!File.Exists(inFolder))
            {
                throw new FileNotFoundException($"The folder '{path}' has no Dockerfile. Pass the Dockerfile's path (deploymind lint path/to/Dockerfile), or run `deploymind init {settings.Dockerfile}` to generate one.", inFolder);
            }

            path = inFolder;
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Dockerfile '{path}' does not exist. Pass its path (deploymind lint path/to/Dockerfile), or run `deploymind init` to generate one.", path);
        }

        var folder = Path.GetDirectoryName(path)!;
        using var host = _hosts.Create(folder, settings.Config, settings.Verbose);
        var linter = host.Services.GetRequiredService<IDockerfileLinter>();
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        var findings = linter.Lint(text, new LintContext(File.Exists(Path.Combine(folder, ".dockerignore"))));
        var display = Path.GetRelativePath(Environment.CurrentDirectory, path);

        switch (settings.EffectiveFormat)
        {
            case LintFormat.Sarif:
                Raw(LintReportWriter.ToSarif(findings, display));
                break;
            case LintFormat.Json:
                Raw(LintReportWriter.ToJson(findings, display));
                break;
            default:
                if (findings.Count == 0)
                {
                    _console.MarkupLine($"[green]{Markup.Escape(display)}: no findings.[/]");
                }
                else
                {
                    _console.Write(Tables.Findings(findings, display));
                    var counts = findings.GroupBy(f => f.Severity).OrderByDescending(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
                    _console.MarkupLine($"{findings.Count} finding(s): {string.Join(", ", counts)}");
                }

                break;
        }

        var failing = settings.FailOn is { } threshold ? findings.Count(f => f.Severity >= threshold) : 0;
        return failing > 0 ? ExitCodes.LintFindings : ExitCodes.Success;
    }

    private void WriteRules(Settings settings)
    {
        if (settings.EffectiveFormat != LintFormat.Table)
        {
            Json.Write(_console, LintRuleCatalog.Rules.Select(r => new { r.Id, r.Title, r.Severity, r.Category, r.Equivalent, r.Fix }));
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Rule", "Severity", "Category", "Checks", "Equivalent");
        foreach (var rule in LintRuleCatalog.Rules)
        {
            table.AddRow(rule.Id, Tables.SeverityMarkup(rule.Severity), rule.Category.ToString(), Markup.Escape(rule.Title), Markup.Escape(rule.Equivalent));
        }

        _console.Write(table);
    }

    private void Raw(string text)
    {
        _console.Profile.Out.Writer.WriteLine(text);
        _console.Profile.Out.Writer.Flush();
    }

    internal enum LintFormat
    {
        Table,
        Json,
        Sarif,
    }

    internal sealed class Settings : CommonSettings
    {
        [CommandArgument(0, "[DOCKERFILE]")]
        [Description("The Dockerfile to check, or a folder with a Dockerfile. Default: ./Dockerfile.")]
        public string Dockerfile { get; set; } = "Dockerfile";

        [CommandOption("-f|--format <FORMAT>")]
        [Description("table (default), json or sarif (SARIF 2.1.0 for code-scanning tools).")]
        public LintFormat? Format { get; set; }

        [CommandOption("--fail-on <SEVERITY>")]
        [Description("Exit with code 4 when a finding is at or above this severity: critical, high (default), medium, low, info, or none.")]
        [DefaultValue("high")]
        public string FailOnText { get; set; } = "high";

        [CommandOption("--rules")]
        [Description("List the rules instead of linting.")]
        public bool Rules { get; set; }

        public Severity? FailOn => FailOnText.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Enum.Parse<Severity>(FailOnText, ignoreCase: true);

        public LintFormat EffectiveFormat => Format ?? (Json ? LintFormat.Json : LintFormat.Table);

        public override ValidationResult Validate() =>
            FailOnText.Equals("none", StringComparison.OrdinalIgnoreCase) || Enum.TryParse<Severity>(FailOnText, ignoreCase: true, out _)
                ? ValidationResult.Success()
                : ValidationResult.Error($"--fail-on '{FailOnText}' is not a severity: use critical, high, medium, low, info or none.");
    }
}
