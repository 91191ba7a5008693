namespace DeployMind.Infrastructure.Build.Linting;

/// <summary>The result of parsing a Dockerfile.</summary>
/// <param name="EscapeCharacter">'\\' or '`' (from the <c># escape=</c> directive).</param>
/// <param name="Directives">Parser directives found at the top (syntax, escape, check), keys lower-cased.</param>
/// <param name="Instructions">Every instruction in order.</param>
/// <param name="Comments">Comment lines outside instructions, in order.</param>
/// <param name="GlobalArgs">ARG instructions before the first FROM.</param>
/// <param name="Stages">Build stages in order; the last one is the image that ships.</param>
/// <param name="Error">Why the file cannot be built, or null.</param>
internal sealed record ParsedDockerfile(
    char EscapeCharacter,
    IReadOnlyDictionary<string, string> Directives,
    IReadOnlyList<DockerInstruction> Instructions,
    IReadOnlyList<DockerComment> Comments,
    IReadOnlyList<DockerInstruction> GlobalArgs,
    IReadOnlyList<DockerStage> Stages,
    DockerfileParseError? Error)
{
    /// <summary>The stage that becomes the image (the last one), or null when there is none.</summary>
    public DockerStage? FinalStage => Stages.Count > 0 ? Stages[^1] : null;

    /// <summary>The earlier stage a reference names (alias, case-insensitive, or index), looking only before <paramref name="beforeIndex"/>.</summary>
    public DockerStage? FindStage(string reference, int beforeIndex)
    {
        for (var i = Math.Min(beforeIndex, Stages.Count) - 1; i >= 0; i--)
        {
            var stage = Stages[i];
            if ((stage.Name is not null && string.Equals(stage.Name, reference, StringComparison.OrdinalIgnoreCase))
                || reference == stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return stage;
            }
        }

        return null;
    }

    /// <summary>The stage and the earlier stages it is built FROM (<c>FROM build AS final</c>), base first.</summary>
    public IReadOnlyList<DockerStage> Lineage(DockerStage stage)
    {
        ArgumentNullException.ThrowIfNull(stage);
        var chain = new List<DockerStage> { stage };
        var current = stage;
        while (FindStageByName(current.BaseImage, current.Index) is { } parent)
        {
            chain.Insert(0, parent);
            current = parent;
        }

        return chain;
    }

    /// <summary>Stages whose file system ends up in the shipped image: the final stage and the stages it is built FROM.</summary>
    public IReadOnlyList<DockerStage> ShippedStages => FinalStage is { } final ? Lineage(final) : [];

    private DockerStage? FindStageByName(string reference, int beforeIndex)
    {
        for (var i = beforeIndex - 1; i >= 0; i--)
        {
            if (Stages[i].Name is { } name && string.Equals(name, reference, StringComparison.OrdinalIgnoreCase))
            {
                return Stages[i];
            }
        }

        return null;
    }
}
