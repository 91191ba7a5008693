namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>DM001: FROM must name a tag or digest other than latest.</summary>
internal static class BaseImageCheck
{
    private static readonly Dictionary<string, string> ExampleTags = new(StringComparer.OrdinalIgnoreCase)
    {
        ["node"] = "22-bookworm-slim",
        ["python"] = "3.12-slim-bookworm",
        ["golang"] = "1.23-bookworm",
        ["alpine"] = "3.20",
        ["debian"] = "bookworm-slim",
        ["ubuntu"] = "24.04",
        ["nginx"] = "1.27-alpine",
        ["ruby"] = "3.3-slim-bookworm",
        ["rust"] = "1.82-slim-bookworm",
        ["php"] = "8.3-fpm-bookworm",
        ["eclipse-temurin"] = "21-jre",
        ["maven"] = "3.9-eclipse-temurin-21",
        ["gradle"] = "8.10-jdk21",
        ["aspnet"] = "9.0",
        ["sdk"] = "9.0",
        ["redis"] = "7.4-alpine",
        ["postgres"] = "17-alpine",
    };

    public static void Check(LintSession session)
    {
        foreach (var stage in session.Dockerfile.Stages)
        {
            var written = stage.BaseImage;
            if (IsScratchOrStage(session, written, stage.Index))
            {
                continue;
            }

            var resolved = written.Contains('$', StringComparison.Ordinal) ? session.ExpandGlobalArgs(written) : written;
            if (resolved is null || IsScratchOrStage(session, resolved, stage.Index))
            {
                continue;
            }

            var image = ImageReference.Parse(resolved);
            if (image.Digest is not null || (image.Tag is not null && !image.Tag.Equals("latest", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var via = resolved == written ? string.Empty : $" (resolves to {resolved} through the ARG default)";
            var problem = image.Tag is null ? $"has no tag, so it pulls {image.Repository}:latest" : "uses the moving 'latest' tag";
            var example = $"{image.Repository}:{ExampleTags.GetValueOrDefault(image.Name, "<version>")}";
            session.Report(
                LintRuleCatalog.BaseImageNotPinned,
                stage.From.Line,
                $"FROM {written} on line {stage.From.Line}{via} {problem}; the same Dockerfile can build a different image tomorrow.",
                $"Pin a version: FROM {example}{AsClause(stage)} (check the registry for the current release), and add @sha256:<digest> for a reproducible build (docker buildx imagetools inspect {example} prints it).");
        }
    }

    private static bool IsScratchOrStage(LintSession session, string reference, int stageIndex) =>
        reference.Equals("scratch", StringComparison.OrdinalIgnoreCase)
        || session.Dockerfile.Stages.Take(stageIndex).Any(s => s.Name is not null && s.Name.Equals(reference, StringComparison.OrdinalIgnoreCase));

    private static string AsClause(DockerStage stage) => stage.Name is null ? string.Empty : $" AS {stage.Name}";
}
