using System.Text.RegularExpressions;

namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Rules about what RUN scripts do: DM014 cd, DM016 pipefail, DM021 sudo, DM026 curl | sh, DM027 chmod 777.</summary>
internal static partial class ShellChecks
{
    private static readonly HashSet<string> Shells = new(StringComparer.Ordinal) { "sh", "bash", "ash", "dash", "zsh", "ksh" };
    private static readonly HashSet<string> Downloaders = new(StringComparer.Ordinal) { "curl", "wget" };

    public static void Check(LintSession session)
    {
        foreach (var (stage, run) in session.Runs())
        {
            var commands = session.Commands(run);
            CheckCd(session, run, commands);
            CheckPipefail(session, stage, run, commands);
            CheckSudo(session, run, commands);
            CheckRemoteScript(session, run, commands);
            CheckChmod(session, run, commands);
        }
    }

    private static void CheckCd(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        var cd = commands.FirstOrDefault(c => c.Program == "cd" && !c.InSubshell);
        if (cd is null)
        {
            return;
        }

        var target = cd.Arguments.FirstOrDefault(a => !a.StartsWith('-')) ?? "~";
        var workdir = target.StartsWith('/') || target.StartsWith('$') ? target : "/absolute/path/to/" + target;
        session.Report(
            LintRuleCatalog.CdInRun,
            run.Line,
            $"The RUN on line {run.Line} uses 'cd {target}' to change directory; it only lasts for this RUN.",
            $"Put WORKDIR {workdir} before the RUN and drop the cd (WORKDIR also creates the directory).");
    }

    private static void CheckPipefail(LintSession session, DockerStage stage, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        if (run.IsExecForm || !commands.Any(c => c.Operator == "|"))
        {
            return;
        }

        if (commands.Any(c => c.Program == "set" && c.Arguments.Contains("pipefail")))
        {
            return;
        }

        var shell = session.InstructionsBefore(stage, run).LastOrDefault(i => i.Is("SHELL"));
        if (shell is not null && (shell.ExecArguments.Contains("pipefail")
            || !Shells.Contains(shell.ExecArguments.Count > 0 ? shell.ExecArguments[0].Split('/')[^1] : string.Empty)))
        {
            return;
        }

        var pipe = commands.First(c => c.Operator == "|");
        var index = IndexOf(commands, pipe);
        var next = index + 1 < commands.Count ? commands[index + 1] : pipe;
        session.Report(
            LintRuleCatalog.PipeWithoutPipefail,
            run.Line,
            $"The RUN on line {run.Line} pipes '{pipe.Program}' into '{next.Program}' without pipefail, so a failing '{pipe.Program}' does not fail the build.",
            "Add SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"] before this RUN (bash images), or start the RUN with 'set -o pipefail &&'.");
    }

    private static void CheckSudo(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        var sudo = commands.FirstOrDefault(c => c.UsesSudo || c.Program == "sudo");
        if (sudo is null)
        {
            return;
        }

        session.Report(
            LintRuleCatalog.SudoInRun,
            run.Line,
            $"The RUN on line {run.Line} uses 'sudo {sudo.Program}'.",
            $"Drop sudo: put USER root before this RUN (RUN {sudo.Program} ...) and switch back to the non-root USER after it.");
    }

    private static void CheckRemoteScript(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            string? downloader = null;
            string? shell = null;
            if (Downloaders.Contains(command.Program) && command.Operator == "|" && i + 1 < commands.Count && Shells.Contains(commands[i + 1].Program))
            {
                downloader = command.Program;
                shell = commands[i + 1].Program;
            }
            else if (Shells.Contains(command.Program) && command.Arguments.Select(a => DownloadSubstitutionRegex().Match(a)).FirstOrDefault(m => m.Success) is { } match)
            {
                downloader = match.Groups["tool"].Value;
                shell = command.Program;
            }

            if (downloader is null)
            {
                continue;
            }

            session.Report(
                LintRuleCatalog.PipeRemoteScriptToShell,
                run.Line,
                $"The RUN on line {run.Line} pipes a script downloaded with '{downloader}' straight into '{shell}', running it unverified.",
                $"Download to a file, check its SHA-256, then run it: {downloader} -fsSLo /tmp/install.sh <url> && echo \"<sha256>  /tmp/install.sh\" | sha256sum -c - && {shell} /tmp/install.sh (or install a pinned package instead).");
            return;
        }
    }

    private static void CheckChmod(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        foreach (var chmod in commands.Where(c => c.Program == "chmod"))
        {
            var arguments = chmod.Arguments.Where(a => !a.StartsWith('-')).ToList();
            if (arguments.Count == 0 || !IsWorldWritable(arguments[0]))
            {
                continue;
            }

            var paths = arguments.Count > 1 ? string.Join(' ', arguments.Skip(1)) : "<path>";
            session.Report(
                LintRuleCatalog.WorldWritable,
                run.Line,
                $"'chmod {arguments[0]} {paths}' on line {run.Line} makes {paths} writable by every user in the container.",
                $"Give the files to the runtime user instead: chown -R <user>:<group> {paths} (or COPY --chown=<user>:<group>) and chmod -R u=rwX,go=rX {paths} (755/644).");
            return;
        }
    }

    private static bool IsWorldWritable(string mode)
    {
        if (NumericModeRegex().Match(mode) is { Success: true } numeric)
        {
            var digits = numeric.Value;
            var sticky = digits.Length == 4 && (digits[0] - '0' & 1) == 1;
            return !sticky && ((digits[^1] - '0') & 2) == 2;
        }

        return mode.Split(',').Any(clause => WorldWritableSymbolicRegex().IsMatch(clause));
    }

    private static int IndexOf(IReadOnlyList<ShellCommand> commands, ShellCommand command)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            if (ReferenceEquals(commands[i], command))
            {
                return i;
            }
        }

        return -1;
    }

    [GeneratedRegex(@"\$\(\s*(?<tool>curl|wget)\b")]
    private static partial Regex DownloadSubstitutionRegex();

    [GeneratedRegex(@"^[0-7]{3,4}$")]
    private static partial Regex NumericModeRegex();

    [GeneratedRegex(@"^[ugoa]*[ao][ugoa]*[+=][rwxXst]*w")]
    private static partial Regex WorldWritableSymbolicRegex();
}
