namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>DM002: the shipped image must not run as root.</summary>
internal static class UserCheck
{
    public static void Check(LintSession session)
    {
        var final = session.Dockerfile.FinalStage;
        if (final is null)
        {
            return;
        }

        var lineage = session.Dockerfile.Lineage(final);
        var lastUser = lineage.SelectMany(s => s.Instructions).LastOrDefault(i => i.Is("USER"));
        var root = lineage[0];
        var baseImage = root.BaseImage.Contains('$', StringComparison.Ordinal) ? session.ExpandGlobalArgs(root.BaseImage) : root.BaseImage;

        if (lastUser is not null)
        {
            var user = DockerArguments.FirstWord(lastUser.Arguments, session.Escape) ?? string.Empty;
            var name = user.Split(':')[0];
            if (name is "root" or "0")
            {
                session.Report(
                    LintRuleCatalog.RunsAsRoot,
                    lastUser.Line,
                    $"USER {user} on line {lastUser.Line} is the last USER of the final {final.DisplayName}, so the container runs as root.",
                    $"After the steps that need root, switch to an unprivileged user: {UserAdvice(baseImage)}");
            }

            return;
        }

        if (baseImage is null || IsNonRootImage(baseImage))
        {
            return;
        }

        session.Report(
            LintRuleCatalog.RunsAsRoot,
            final.From.Line,
            $"The final {final.DisplayName} (FROM {final.BaseImage} on line {final.From.Line}) never sets USER, so the container runs as root.",
            $"Add a non-root USER before CMD: {UserAdvice(baseImage)}");
    }

    private static bool IsNonRootImage(string reference)
    {
        var image = ImageReference.Parse(reference);
        return image.Tag is { } tag && (tag.Equals("nonroot", StringComparison.OrdinalIgnoreCase) || tag.EndsWith("-nonroot", StringComparison.OrdinalIgnoreCase))
            || image.Repository.EndsWith("-nonroot", StringComparison.OrdinalIgnoreCase);
    }

    private static string UserAdvice(string? baseImage)
    {
        var image = baseImage is null ? null : ImageReference.Parse(baseImage);
        return image switch
        {
            { Name: "node" } => "the node image already has one, so write USER node.",
            { Repository: var repo } when repo.Contains("distroless", StringComparison.OrdinalIgnoreCase) =>
                $"use the nonroot variant (FROM {repo}:nonroot) or write USER 65532.",
            not null when image.Name == "alpine" || (image.Tag?.Contains("alpine", StringComparison.OrdinalIgnoreCase) ?? false) =>
                "RUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app, then USER app (or USER 10001:10001).",
            _ => "RUN groupadd --system --gid 10001 app && useradd --system --uid 10001 --gid app --no-create-home app, then USER app (or USER 10001:10001).",
        };
    }
}
