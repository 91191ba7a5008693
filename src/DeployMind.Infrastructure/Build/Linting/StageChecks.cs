namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>Rules about stages and what they copy: DM003 multi-stage, DM004 .dockerignore, DM005 COPY order, DM017 repeated CMD/ENTRYPOINT, DM025 COPY --from itself.</summary>
internal static class StageChecks
{
    public static void Check(LintSession session)
    {
        CheckSingleStage(session);
        CheckDockerignore(session);
        foreach (var stage in session.Dockerfile.Stages)
        {
            CheckCopyOrder(session, stage);
            CheckRepeated(session, stage, "CMD");
            CheckRepeated(session, stage, "ENTRYPOINT");
            CheckCopyFromSelf(session, stage);
        }
    }

    private static void CheckSingleStage(LintSession session)
    {
        if (session.Dockerfile.Stages.Count != 1)
        {
            return;
        }

        var stage = session.Dockerfile.Stages[0];
        foreach (var run in stage.Instructions.Where(i => i.Is("RUN")))
        {
            var step = session.Commands(run).Select(PackageCommands.AsBuildStep).FirstOrDefault(s => s is not null);
            if (step is null)
            {
                continue;
            }

            session.Report(
                LintRuleCatalog.SingleStageBuild,
                run.Line,
                $"The RUN on line {run.Line} runs '{step}' in the only stage (FROM {stage.BaseImage}), so build tools, caches and dev dependencies ship in the image.",
                $"Split the Dockerfile: do the '{step}' work in 'FROM {stage.BaseImage} AS build', then start a runtime stage from a slim image and COPY --from=build only the built output.");
            return;
        }
    }

    private static void CheckDockerignore(LintSession session)
    {
        if (session.Context?.HasDockerignore != false)
        {
            return;
        }

        foreach (var copy in session.Dockerfile.Stages.SelectMany(s => s.Instructions).Where(IsContextCopy))
        {
            var (sources, _) = DockerArguments.SourcesAndDestination(copy, session.Escape);
            var local = sources.Where(IsLocalSource).ToList();
            if (local.Count == 0)
            {
                continue;
            }

            var whole = local.Any(IsWholeContext);
            session.Report(
                LintRuleCatalog.MissingDockerignore,
                copy.Line,
                whole
                    ? $"{copy.Keyword} {copy.Arguments} on line {copy.Line} copies the whole build context and there is no .dockerignore, so .git, node_modules, .env files and build output end up in the image."
                    : $"{copy.Keyword} on line {copy.Line} reads from the build context and there is no .dockerignore, so the whole folder (.git, node_modules, .env files) is sent to the builder on every build.",
                "Create a .dockerignore next to the Dockerfile with at least: .git, node_modules, .env*, *.log, the build output folders (dist, bin, obj, target, __pycache__) and Dockerfile.");
            return;
        }
    }

    private static void CheckCopyOrder(LintSession session, DockerStage stage)
    {
        DockerInstruction? wholeCopy = null;
        foreach (var instruction in stage.Instructions)
        {
            if (wholeCopy is null)
            {
                if (IsContextCopy(instruction)
                    && DockerArguments.SourcesAndDestination(instruction, session.Escape).Sources.Any(IsWholeContext))
                {
                    wholeCopy = instruction;
                }

                continue;
            }

            if (!instruction.Is("RUN"))
            {
                continue;
            }

            var install = session.Commands(instruction).Select(PackageCommands.AsDependencyInstall).FirstOrDefault(d => d is not null);
            if (install is null)
            {
                continue;
            }

            var manifests = install.Manifests.StartsWith("the ", StringComparison.Ordinal) ? install.Manifests : install.Manifests + " ./";
            session.Report(
                LintRuleCatalog.CopyBeforeDependencyInstall,
                wholeCopy.Line,
                $"{wholeCopy.Keyword} {wholeCopy.Arguments} on line {wholeCopy.Line} copies all sources before '{install.Command}' (line {instruction.Line}), so any source change re-runs the dependency install.",
                $"Copy the manifests first and the sources after the install: COPY {manifests} then RUN {install.Command} then COPY . .");
            return;
        }
    }

    private static void CheckRepeated(LintSession session, DockerStage stage, string keyword)
    {
        var all = stage.Instructions.Where(i => i.Is(keyword)).ToList();
        var last = all.LastOrDefault();
        foreach (var earlier in all.Take(all.Count - 1))
        {
            session.Report(
                LintRuleCatalog.MultipleCommands,
                earlier.Line,
                $"The {keyword} on line {earlier.Line} has no effect: the {keyword} on line {last!.Line} in the same {stage.DisplayName} replaces it.",
                $"Delete the {keyword} on line {earlier.Line} and keep a single {keyword} (line {last.Line}).");
        }
    }

    private static void CheckCopyFromSelf(LintSession session, DockerStage stage)
    {
        foreach (var copy in stage.Instructions.Where(i => i.Is("COPY")))
        {
            var from = copy.GetFlag("from");
            if (from is null)
            {
                continue;
            }

            var self = (stage.Name is not null && from.Equals(stage.Name, StringComparison.OrdinalIgnoreCase))
                || from == stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (self)
            {
                session.Report(
                    LintRuleCatalog.CopyFromOwnStage,
                    copy.Line,
                    $"COPY --from={from} on line {copy.Line} copies from the {stage.DisplayName} it is part of; the build fails with a circular dependency.",
                    $"Name an earlier stage or an image in --from (e.g. add 'FROM <image> AS build' above and write COPY --from=build ...), or use a plain COPY for build-context files.");
            }
        }
    }

    private static bool IsContextCopy(DockerInstruction instruction) =>
        (instruction.Is("COPY") || instruction.Is("ADD")) && instruction.GetFlag("from") is null;

    private static bool IsLocalSource(string source) =>
        !source.StartsWith("<<", StringComparison.Ordinal) && !source.Contains("://", StringComparison.Ordinal) && !source.StartsWith("git@", StringComparison.Ordinal);

    private static bool IsWholeContext(string source) => source is "." or "./" or "./." or "*";
}
