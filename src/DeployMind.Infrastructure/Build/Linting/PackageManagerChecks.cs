namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>apt-get, pip and apk rules: DM006-DM012.</summary>
internal static class PackageManagerChecks
{
    private static readonly string[] AptValueOptions = ["-o", "-t", "-c", "--target-release", "--config-file", "--option"];
    private static readonly string[] ApkValueOptions = ["-t", "--virtual", "-X", "--repository", "-p", "--root", "--arch"];

    public static void Check(LintSession session)
    {
        foreach (var (stage, run) in session.Runs())
        {
            var commands = session.Commands(run);
            var shipped = session.IsShipped(stage);
            CheckApt(session, run, commands, shipped);
            if (shipped)
            {
                CheckPip(session, stage, run, commands);
                CheckApk(session, run, commands);
            }
        }
    }

    private static void CheckApt(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands, bool shipped)
    {
        var apt = commands.Where(c => c.Program is "apt-get" or "apt").ToList();
        if (apt.Count == 0)
        {
            return;
        }

        if (apt.FirstOrDefault(c => c.Program == "apt") is { } plainApt)
        {
            var action = PackageCommands.AptSubcommand(plainApt) ?? string.Empty;
            session.Report(
                LintRuleCatalog.AptInsteadOfAptGet,
                run.Line,
                $"The RUN on line {run.Line} uses 'apt {action}'; apt's interface is not stable for scripts.",
                $"Use apt-get instead: apt-get {(action == "install" ? "install -y --no-install-recommends ..." : action)}.");
        }

        var installs = apt.Where(c => PackageCommands.AptSubcommand(c) == "install").ToList();
        foreach (var install in installs)
        {
            var arguments = install.Arguments;
            if (!arguments.Any(IsAssumeYes))
            {
                var packages = Names(PackageCommands.Packages(arguments, "install", AptValueOptions));
                session.Report(
                    LintRuleCatalog.AptGetWithoutYes,
                    run.Line,
                    $"'{install.Program} install {packages}' on line {run.Line} has no -y, so it waits for a confirmation the build cannot give and fails.",
                    $"Write {install.Program} install -y --no-install-recommends {packages}.");
                break;
            }
        }

        if (shipped)
        {
            foreach (var install in installs)
            {
                var arguments = install.Arguments;
                if (!arguments.Contains("--no-install-recommends") && !arguments.Any(a => a.Contains("Install-Recommends=", StringComparison.OrdinalIgnoreCase)))
                {
                    var packages = Names(PackageCommands.Packages(arguments, "install", AptValueOptions));
                    session.Report(
                        LintRuleCatalog.AptGetInstallRecommends,
                        run.Line,
                        $"'{install.Program} install {packages}' on line {run.Line} also installs the recommended packages of {packages}, which the image rarely needs.",
                        $"Write {install.Program} install -y --no-install-recommends {packages} (add any recommended package you do need by name).");
                    break;
                }
            }

            var touchesLists = apt.Any(c => PackageCommands.AptSubcommand(c) is "update" or "install" or "upgrade" or "dist-upgrade" or "full-upgrade");
            var removesLists = commands.Any(c => c.Program == "rm" && c.Arguments.Any(a => a.StartsWith("/var/lib/apt/lists", StringComparison.Ordinal)));
            if (touchesLists && !removesLists && !LintSession.HasCacheMount(run, "/var/lib/apt/lists"))
            {
                var action = installs.Count > 0 ? $"'{installs[0].Program} install'" : "'apt-get update'";
                session.Report(
                    LintRuleCatalog.AptListsNotRemoved,
                    run.Line,
                    $"The RUN on line {run.Line} runs {action} but does not delete /var/lib/apt/lists/*, so the package index stays in the image layer.",
                    "End the same RUN with '&& rm -rf /var/lib/apt/lists/*' (a later RUN cannot shrink the earlier layer).");
            }
        }

        var upgrade = apt.FirstOrDefault(c => PackageCommands.AptSubcommand(c) is "upgrade" or "dist-upgrade" or "full-upgrade");
        if (upgrade is not null)
        {
            var action = $"{upgrade.Program} {PackageCommands.AptSubcommand(upgrade)}";
            session.Report(
                LintRuleCatalog.AptGetUpgrade,
                run.Line,
                $"'{action}' on line {run.Line} upgrades every package at build time, so the image depends on the day it was built.",
                $"Remove '{action}' and use a newer base image tag for updates; to patch one package write apt-get install -y --only-upgrade <package>.");
        }
    }

    private static void CheckPip(LintSession session, DockerStage stage, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        if (LintSession.HasCacheMount(run, "/root/.cache/pip") || PipCacheDisabledByEnv(session, stage, run))
        {
            return;
        }

        foreach (var command in commands)
        {
            var pip = PackageCommands.PipArguments(command);
            if (pip is null || pip.Count == 0 || pip.FirstOrDefault(a => !a.StartsWith('-')) != "install"
                || pip.Contains("--no-cache-dir")
                || command.InlineAssignments.Any(a => a.StartsWith("PIP_NO_CACHE_DIR=", StringComparison.Ordinal)))
            {
                continue;
            }

            var requirements = PackageCommands.ValueOf(pip, "-r", "--requirement");
            var what = requirements is not null
                ? "-r " + requirements
                : Names(PackageCommands.Packages(pip, "install", PackageCommands.PipValueOptions));
            var pipCommand = command.Program.StartsWith("python", StringComparison.Ordinal) ? command.Program + " -m pip" : command.Program;
            session.Report(
                LintRuleCatalog.PipCacheKept,
                run.Line,
                $"'{pipCommand} install {what}' on line {run.Line} keeps pip's download cache (~/.cache/pip) in the image layer.",
                $"Write {pipCommand} install --no-cache-dir {what}, or set ENV PIP_NO_CACHE_DIR=1 earlier in the stage.");
            return;
        }
    }

    private static void CheckApk(LintSession session, DockerInstruction run, IReadOnlyList<ShellCommand> commands)
    {
        var removesCache = commands.Any(c => c.Program == "rm" && c.Arguments.Any(a => a.StartsWith("/var/cache/apk", StringComparison.Ordinal)));
        if (removesCache || LintSession.HasCacheMount(run, "/var/cache/apk"))
        {
            return;
        }

        var add = commands.FirstOrDefault(c => c.Program == "apk" && c.Subcommand(ApkValueOptions) == "add" && !c.Arguments.Contains("--no-cache"));
        if (add is null)
        {
            return;
        }

        var packages = Names(PackageCommands.Packages(add.Arguments, "add", ApkValueOptions));
        session.Report(
            LintRuleCatalog.ApkCacheKept,
            run.Line,
            $"'apk add {packages}' on line {run.Line} leaves the package index in /var/cache/apk in the image layer.",
            $"Write apk add --no-cache {packages} (and drop a separate apk update).");
    }

    private static bool PipCacheDisabledByEnv(LintSession session, DockerStage stage, DockerInstruction run) =>
        session.InstructionsBefore(stage, run)
            .Where(i => i.Is("ENV") || i.Is("ARG"))
            .SelectMany(i => DockerArguments.ParseKeyValues(i, session.Escape))
            .Any(p => p.Key == "PIP_NO_CACHE_DIR" && !string.IsNullOrEmpty(p.Value));

    private static bool IsAssumeYes(string argument) =>
        argument is "-y" or "--yes" or "--assume-yes" or "-qq" or "-q=2" or "--force-yes"
        || (argument.Length > 1 && argument[0] == '-' && argument[1] != '-' && argument.Contains('y', StringComparison.Ordinal))
        || argument.Contains("Assume-Yes=true", StringComparison.OrdinalIgnoreCase);

    private static string Names(IReadOnlyList<string> packages) => packages.Count == 0 ? "<packages>" : string.Join(' ', packages);
}
